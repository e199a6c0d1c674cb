package emulator_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/ssoctl/ssoctl/internal/emulator"
)

// shape flattens a JSON document into its paths (a.b, a[].c) and the JSON
// kind at each.
func shape(t *testing.T, doc []byte) map[string]string {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, doc)
	}
	out := map[string]string{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			out[path] = "object"
			for k, e := range x {
				walk(strings.TrimPrefix(path+"."+k, "."), e)
			}
		case []any:
			out[path] = "array"
			for _, e := range x {
				walk(path+"[]", e)
			}
		case string:
			out[path] = "string"
		case float64:
			out[path] = "number"
		case bool:
			out[path] = "bool"
		case nil:
			out[path] = "null"
		}
	}
	walk("", v)
	delete(out, "")
	return out
}

// TestCloudTrailRecordShape holds the sandbox's records to the shapes of
// AWS's (testdata/cloudtrail, from the samples FIDELITY.md names): every
// field AWS writes is there with the same JSON kind, and nothing else
// except members of requestParameters and responseElements the API call
// itself carries.
func TestCloudTrailRecordShape(t *testing.T) {
	t.Parallel()
	f := newSSOFixture(t, emulator.Options{SignInAs: "dave.miller"})
	st, url := f.st, f.url
	cfg := sdkConfig(url, 1)
	if _, err := f.c.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{
		InstanceArn: aws.String(f.inst), TargetId: aws.String(f.acct["network"]), TargetType: types.TargetTypeAwsAccount,
		PermissionSetArn: aws.String(f.ps["SecurityAdmin"]), PrincipalType: types.PrincipalTypeGroup, PrincipalId: aws.String(st.Groups[0].GroupId),
	}); err != nil {
		t.Fatal(err)
	}
	roles := wantRoles(t, st, "dave.miller")
	var account, role string
	for id, rs := range roles {
		if id != st.Organization.MasterAccountId && (account == "" || id < account) {
			account, role = id, rs[0]
		}
	}
	rc, err := sso.NewFromConfig(cfg).GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
		AccessToken: aws.String(signInAs(t, url)), AccountId: aws.String(account), RoleName: aws.String(role),
	})
	if err != nil {
		t.Fatal(err)
	}
	roleCfg := cfg.Copy()
	c := rc.RoleCredentials
	roleCfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	if _, err := iam.NewFromConfig(roleCfg).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("shape-test")}); err != nil {
		t.Fatal(err)
	}

	// A seeded sign-in is written like a live one.
	_, seeded, _ := sandbox(t, emulator.Options{ActivityDays: 7})
	for _, tc := range []struct {
		file, event string
		cfg         aws.Config
	}{
		{"get-role-credentials.json", "GetRoleCredentials", cfg},
		{"get-role-credentials.json", "GetRoleCredentials (seeded)", seeded},
		{"create-account-assignment.json", "CreateAccountAssignment", cfg},
		{"assumed-role-write.json", "CreateUser", roleCfg},
	} {
		t.Run(tc.event, func(t *testing.T) {
			doc, err := os.ReadFile(filepath.Join("testdata", "cloudtrail", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			name, _, seededOnes := strings.Cut(tc.event, " ")
			events := lookupAll(t, cloudtrail.NewFromConfig(tc.cfg), cttypes.LookupAttributeKeyEventName, name)
			if len(events) == 0 || (len(events) != 1 && !seededOnes) {
				t.Fatalf("%s events: got %d; want 1", tc.event, len(events))
			}
			want, got := shape(t, doc), shape(t, []byte(aws.ToString(events[0].CloudTrailEvent)))
			var problems []string
			for path, kind := range want {
				if got[path] != kind {
					problems = append(problems, "AWS writes "+path+" ("+kind+"); the sandbox: "+orNone(got[path]))
				}
			}
			for path, kind := range got {
				inCall := strings.HasPrefix(path, "requestParameters.") || strings.HasPrefix(path, "responseElements.")
				if _, ok := want[path]; !ok && !inCall {
					problems = append(problems, "the sandbox writes "+path+" ("+kind+"), which AWS's record has not")
				}
			}
			sort.Strings(problems)
			for _, p := range problems {
				t.Error(p)
			}
		})
	}
}

func orNone(kind string) string {
	if kind == "" {
		return "absent"
	}
	return kind
}
