package conformance

import (
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// SDKClient is the Go SDK's client type for a botocore service name, whose
// methods' output types stand for the models the project builds with.
func SDKClient(service string) reflect.Type {
	switch service {
	case "sso-admin":
		return reflect.TypeFor[*ssoadmin.Client]()
	case "identitystore":
		return reflect.TypeFor[*identitystore.Client]()
	case "organizations":
		return reflect.TypeFor[*organizations.Client]()
	case "sts":
		return reflect.TypeFor[*sts.Client]()
	case "iam":
		return reflect.TypeFor[*iam.Client]()
	case "sso":
		return reflect.TypeFor[*sso.Client]()
	case "sso-oidc":
		return reflect.TypeFor[*ssooidc.Client]()
	case "sesv2":
		return reflect.TypeFor[*sesv2.Client]()
	case "s3":
		return reflect.TypeFor[*s3.Client]()
	case "scheduler":
		return reflect.TypeFor[*scheduler.Client]()
	case "cloudtrail":
		return reflect.TypeFor[*cloudtrail.Client]()
	}
	return nil
}
