package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// Identity Center's multi-Region replication. An instance lives in its
// primary Region (the sandbox's Region) and may be replicated to additional
// Regions. AWS's "APIs supported in additional Regions" table: the
// sign-in side (OIDC, the portal) and identity-store reads work in every
// enabled Region; sso-admin answers only instance (and application) reads
// there — permission-set and account-assignment reads and every other
// write are primary-Region only, and so are identity-store writes.
//
// The sandbox serves every Region on one port and learns a request's
// Region from its SigV4 credential scope. A request for a Region the
// instance is not enabled in (or an unsigned one) is served as its primary
// Region, so clients configured for any Region keep working as before.

var reRegionName = awsproto.LazyRegexp(`^([a-z]+-){2,3}\d$`)

// sigV4Region is the Region named in a request's SigV4 credential scope
// ("" when unsigned).
func sigV4Region(r *http.Request) string {
	if _, cred, ok := strings.Cut(r.Header.Get("Authorization"), "Credential="); ok {
		parts := strings.Split(strings.SplitN(cred, ",", 2)[0], "/")
		if len(parts) >= 3 {
			return parts[2]
		}
	}
	return ""
}

// requestRegion is the Region a request was signed for, or the sandbox's.
func (s *Server) requestRegion(r *http.Request) string {
	if region := sigV4Region(r); region != "" {
		return region
	}
	return s.st.region
}

// CheckAdditionalRegions checks Regions to replicate the instances of st
// to: Region names, none the primary Region.
func CheckAdditionalRegions(st *State, regions []string) error {
	primary := st.Region
	if primary == "" {
		primary = defaultRegion
	}
	for _, name := range regions {
		if !reRegionName().MatchString(name) {
			return fmt.Errorf("additional Region %q is not a Region name (like eu-west-1)", name)
		}
		if name == primary {
			return fmt.Errorf("additional Region %s is the primary Region", name)
		}
	}
	return nil
}

// addRegions replicates every instance to the given Regions (the
// --additional-region flag), on top of those its state names.
func (s *Server) addRegions(regions []string) error {
	if err := CheckAdditionalRegions(&State{Region: s.st.region}, regions); err != nil {
		return err
	}
	for _, name := range regions {
		for _, in := range s.st.instances.Values() {
			if !in.hasAdditional(name) {
				in.AdditionalRegions = append(in.AdditionalRegions, InstanceRegion{Name: name, Added: s.now()})
			}
		}
	}
	return nil
}

func (in *Instance) hasAdditional(region string) bool {
	return slices.ContainsFunc(in.AdditionalRegions, func(r InstanceRegion) bool { return r.Name == region })
}

// additionalRegionOf reports whether region is an additional (not the
// primary) Region of the instance with this ARN or identity store.
func (s *Server) additionalRegionOf(instanceArn, storeID, region string) bool {
	if region == s.st.region {
		return false
	}
	var in *Instance
	if instanceArn != "" {
		in, _ = s.st.instances.Get(instanceArn)
	} else if storeID != "" {
		in = s.st.instanceByStore(storeID)
	}
	return in != nil && in.hasAdditional(region)
}

// primaryOnly refuses, in an additional Region, what AWS serves only in
// the primary one: every sso-admin call but the instance reads, and
// identity-store writes. AWS's guide says these are "not supported" there
// without naming the error; the sandbox answers AccessDeniedException, an
// error every one of these operations' models lists.
func (s *Server) primaryOnly(svc, op string, write bool, region string, body []byte) *awsproto.Error {
	switch {
	case region == s.st.region:
		return nil
	case svc == "sso-admin" && op != "ListInstances" && op != "DescribeInstance":
	case svc == "identitystore" && write:
	default:
		return nil
	}
	var in struct{ InstanceArn, IdentityStoreId string }
	_ = json.Unmarshal(body, &in)
	s.mu.RLock()
	additional := s.additionalRegionOf(in.InstanceArn, in.IdentityStoreId, region)
	s.mu.RUnlock()
	if !additional {
		return nil
	}
	return awsproto.Err(400, "AccessDeniedException",
		"%s is not supported in %s, an additional Region of this IAM Identity Center instance; call it in the primary Region %s", op, region, s.st.region)
}

// enabledIn reports whether an instance is enabled in region (its primary
// Region or an additional one); a Region the sandbox knows nothing of
// counts as the primary.
func (s *Server) enabledIn(in *Instance, region string) bool {
	if region == s.st.region || in.hasAdditional(region) {
		return true
	}
	for _, other := range s.st.instances.Values() {
		if other.hasAdditional(region) {
			return false
		}
	}
	return true
}

// instanceRegionsJSON is an instance's PrimaryRegion and Regions (the
// primary first), as ListInstances and DescribeInstance answer them.
func (s *Server) instanceRegionsJSON(in *Instance, out map[string]any) {
	regions := []map[string]any{{
		"RegionName": s.st.region, "Status": "ACTIVE", "AddedDate": awsproto.Epoch(in.Created), "IsPrimaryRegion": true,
	}}
	for _, r := range in.AdditionalRegions {
		regions = append(regions, map[string]any{
			"RegionName": r.Name, "Status": "ACTIVE", "AddedDate": awsproto.Epoch(r.Added), "IsPrimaryRegion": false,
		})
	}
	out["PrimaryRegion"] = s.st.region
	out["Regions"] = regions
}
