package emulator

import "github.com/ssoctl/ssoctl/internal/emulator/awsproto"

// Patterns from the service models; the SDKs do not check them, the service does.
var (
	reAccountID     = awsproto.LazyRegexp(`^\d{12}$`)
	reInstanceArn   = awsproto.LazyRegexp(`^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b)(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$`)
	rePermSetArn    = awsproto.LazyRegexp(`^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b)(-[a-z]{1,5}){0,3}:sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}$`)
	reStoreID       = awsproto.LazyRegexp(`^(d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)
	rePrincipalID   = awsproto.LazyRegexp(`^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$`)
	rePermSetName   = awsproto.LazyRegexp(`^[\w+=,.@-]{1,32}$`)
	reRequestID     = awsproto.LazyRegexp(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	reDuration      = awsproto.LazyRegexp(`^P(T(\d+H)?(\d+M)?(\d+S)?)$`)
	reManagedPolicy = awsproto.LazyRegexp(`^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b)(-[a-z]{1,5}){0,3}:iam::aws:policy/[\w+=,.@/-]+$`)
	reToken         = awsproto.LazyRegexp(`^[-a-zA-Z0-9+=/_]*$`)
)
