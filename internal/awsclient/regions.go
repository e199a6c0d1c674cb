package awsclient

import (
	"context"
	"reflect"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
	"github.com/aws/smithy-go/middleware"
)

// Identity Center instances may be replicated to additional Regions. There,
// sso-admin answers only instance reads: permission-set and assignment
// calls, like identity-store writes, work only in the instance's primary
// Region. So that ssoctl works wherever it is pointed (an sso_region or
// AWS_REGION that names an additional Region), a Set learns each
// instance's primary Region from the ListInstances and DescribeInstance
// answers that pass through it — every admin command lists the instances
// first — and sends every later sso-admin call naming that instance, and
// every identity-store call naming its store, to the primary Region. It
// costs no call of its own. Sign-in (sso-oidc, the portal) may use any
// enabled Region and is not routed.

// primaryRegions is what a Set has learned: the primary Region of each
// instance (by ARN) and of its identity store (by id).
type primaryRegions struct {
	mu      sync.Mutex
	byInst  map[string]string
	byStore map[string]string
}

func (p *primaryRegions) learn(instanceArn, storeID, primary *string) {
	if aws.ToString(primary) == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byInst == nil {
		p.byInst, p.byStore = map[string]string{}, map[string]string{}
	}
	if a := aws.ToString(instanceArn); a != "" {
		p.byInst[a] = *primary
	}
	if id := aws.ToString(storeID); id != "" {
		p.byStore[id] = *primary
	}
}

func (p *primaryRegions) lookup(m func(*primaryRegions) map[string]string, key string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return m(p)[key]
}

// PrimaryRegion is the primary Region the Set has learned for an instance
// ("" when not known yet).
func (s *Set) PrimaryRegion(instanceArn string) string {
	return s.regions.lookup(func(p *primaryRegions) map[string]string { return p.byInst }, instanceArn)
}

// routeRegionKey carries, in a call's context, the Region its endpoint is
// resolved for.
type routeRegionKey struct{}

// routeToPrimary is an initialize middleware: it learns primary Regions
// from the answers of the instance reads, and sends a call whose input
// names an instance (or identity store) of known primary Region there: its
// signing Region, and the endpoint through the resolvers below.
func (s *Set) routeToPrimary(member string, lookup func(*primaryRegions) map[string]string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("ssoctlPrimaryRegion",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				switch in.Parameters.(type) {
				case *ssoadmin.ListInstancesInput, *ssoadmin.DescribeInstanceInput:
					// Instance reads work in every enabled Region.
				default:
					if region := s.regions.lookup(lookup, inputMember(in.Parameters, member)); region != "" {
						ctx = awsmiddleware.SetSigningRegion(ctx, region)
						ctx = context.WithValue(ctx, routeRegionKey{}, region)
					}
				}
				out, md, err := next.HandleInitialize(ctx, in)
				switch r := out.Result.(type) {
				case *ssoadmin.ListInstancesOutput:
					for _, i := range r.Instances {
						s.regions.learn(i.InstanceArn, i.IdentityStoreId, i.PrimaryRegion)
					}
				case *ssoadmin.DescribeInstanceOutput:
					s.regions.learn(r.InstanceArn, r.IdentityStoreId, r.PrimaryRegion)
				}
				return out, md, err
			}), middleware.After)
	}
}

// inputMember is the string member of an operation input (InstanceArn,
// IdentityStoreId), "" when it has none.
func inputMember(params any, name string) string {
	v := reflect.ValueOf(params)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return ""
	}
	f := v.Elem().FieldByName(name)
	if !f.IsValid() || f.Type() != reflect.TypeOf((*string)(nil)) || f.IsNil() {
		return ""
	}
	return f.Elem().String()
}

// routedRegion is the Region a call's context routes it to ("" for none).
func routedRegion(ctx context.Context) string {
	r, _ := ctx.Value(routeRegionKey{}).(string)
	return r
}

type ssoAdminResolver struct{ ssoadmin.EndpointResolverV2 }

func (r ssoAdminResolver) ResolveEndpoint(ctx context.Context, p ssoadmin.EndpointParameters) (smithyendpoints.Endpoint, error) {
	if region := routedRegion(ctx); region != "" {
		p.Region = aws.String(region)
	}
	return r.EndpointResolverV2.ResolveEndpoint(ctx, p)
}

type identityStoreResolver struct {
	identitystore.EndpointResolverV2
}

func (r identityStoreResolver) ResolveEndpoint(ctx context.Context, p identitystore.EndpointParameters) (smithyendpoints.Endpoint, error) {
	if region := routedRegion(ctx); region != "" {
		p.Region = aws.String(region)
	}
	return r.EndpointResolverV2.ResolveEndpoint(ctx, p)
}

// ssoAdminRouting routes sso-admin calls by their InstanceArn.
func (s *Set) ssoAdminRouting(o *ssoadmin.Options) {
	o.APIOptions = append(o.APIOptions, s.routeToPrimary("InstanceArn", func(p *primaryRegions) map[string]string { return p.byInst }))
	o.EndpointResolverV2 = ssoAdminResolver{ssoadmin.NewDefaultEndpointResolverV2()}
}

// identityStoreRouting routes identity-store calls by their IdentityStoreId.
func (s *Set) identityStoreRouting(o *identitystore.Options) {
	o.APIOptions = append(o.APIOptions, s.routeToPrimary("IdentityStoreId", func(p *primaryRegions) map[string]string { return p.byStore }))
	o.EndpointResolverV2 = identityStoreResolver{identitystore.NewDefaultEndpointResolverV2()}
}
