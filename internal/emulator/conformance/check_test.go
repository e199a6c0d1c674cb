package conformance_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/emulator/conformance"
)

// TestChecker feeds the checker hand-written answers, each breaking the
// model in one way (and a few that do not), and checks what it says.
func TestChecker(t *testing.T) {
	data, err := conformance.BotocoreData(ctx)
	if err != nil {
		t.Skipf("botocore's API models not found: %v", err)
	}
	models := map[string]*conformance.Model{}
	load := func(svc string) *conformance.Model {
		if models[svc] == nil {
			m, err := conformance.Load(data, svc)
			if err != nil {
				t.Fatal(err)
			}
			models[svc] = m
		}
		return models[svc]
	}
	afterRetirement := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	beforeRetirement := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	jsonHeader := func(kv ...string) http.Header {
		h := http.Header{"Content-Type": {"application/x-amz-json-1.1"}}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	xmlHeader := http.Header{"Content-Type": {"text/xml"}}
	const psArn = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"
	const account = `{"Id":"123456789012","Arn":"arn:aws:organizations::111111111111:account/o-abcdefghij/123456789012","Email":"a@example.com","Name":"a","State":"ACTIVE","JoinedMethod":"CREATED","JoinedTimestamp":1678006800}`
	tests := []struct {
		name, service, op string
		now               time.Time
		resp              conformance.Response
		want              string // a violation must contain it; "" means none
		wantErr           string // the error code Check must report
	}{
		{"conforming awsJson answer", "sso-admin", "DescribePermissionSet", afterRetirement,
			conformance.Response{200, jsonHeader(), []byte(`{"PermissionSet":{"Name":"Dev","PermissionSetArn":"` + psArn + `","CreatedDate":1678006800.5,"SessionDuration":"PT1H"}}`)}, "", ""},
		{"unknown member", "sso-admin", "DescribePermissionSet", afterRetirement,
			conformance.Response{200, jsonHeader(), []byte(`{"PermissionSet":{"Name":"Dev","Colour":"blue"}}`)}, "PermissionSet.Colour: unknown member", ""},
		{"pattern", "sso-admin", "DescribePermissionSet", afterRetirement,
			conformance.Response{200, jsonHeader(), []byte(`{"PermissionSet":{"PermissionSetArn":"arn:aws:sso:::instance/ssoins-1234567890abcdef/ps-1234567890abcdef"}}`)}, "does not match the model's pattern", ""},
		{"awsJson timestamp as text", "sso-admin", "DescribePermissionSet", afterRetirement,
			conformance.Response{200, jsonHeader(), []byte(`{"PermissionSet":{"CreatedDate":"2023-03-05T09:00:00Z"}}`)}, "want epoch seconds", ""},
		{"awsJson timestamp in milliseconds", "sso-admin", "DescribePermissionSet", afterRetirement,
			conformance.Response{200, jsonHeader(), []byte(`{"PermissionSet":{"CreatedDate":1678006800000}}`)}, "milliseconds", ""},
		{"string where the model has a string, sent as a number", "sso-admin", "DescribePermissionSet", afterRetirement,
			conformance.Response{200, jsonHeader(), []byte(`{"PermissionSet":{"SessionDuration":3600}}`)}, "want a string", ""},
		{"minimum length", "sso-admin", "GetInlinePolicyForPermissionSet", afterRetirement,
			conformance.Response{200, jsonHeader(), []byte(`{"InlinePolicy":""}`)}, "the model's minimum is 1", ""},
		{"required member", "identitystore", "GetUserId", afterRetirement,
			conformance.Response{200, jsonHeader(), []byte(`{"IdentityStoreId":"d-1234567890"}`)}, "UserId: required member missing", ""},
		{"a member the Go SDK has and botocore not yet", "identitystore", "GetUserId", afterRetirement,
			conformance.Response{200, jsonHeader(), []byte(`{"IdentityStoreId":"d-1234567890","UserId":"1234567890-12345678-1234-1234-1234-123456789012","UserArn":"arn:aws:identitystore::111111111111:user/1234567890-12345678-1234-1234-1234-123456789012"}`)}, "", ""},
		{"enum", "organizations", "DescribeAccount", afterRetirement,
			conformance.Response{200, jsonHeader(), []byte(`{"Account":{"State":"SLEEPING"}}`)}, `"SLEEPING" is not one of`, ""},
		{"retired member", "organizations", "DescribeAccount", afterRetirement,
			conformance.Response{200, jsonHeader(), []byte(`{"Account":` + strings.Replace(account, `"State"`, `"Status":"ACTIVE","State"`, 1) + `}`)}, "Account.Status: sent, but the model retired this member on 2026-09-09", ""},
		{"member before its retirement", "organizations", "DescribeAccount", beforeRetirement,
			conformance.Response{200, jsonHeader(), []byte(`{"Account":` + strings.Replace(account, `"State"`, `"Status":"ACTIVE","State"`, 1) + `}`)}, "", ""},
		{"list size", "identitystore", "DescribeGroup", afterRetirement,
			conformance.Response{200, jsonHeader(), []byte(`{"IdentityStoreId":"d-1234567890","GroupId":"1234567890-12345678-1234-1234-1234-123456789012","ExternalIds":[]}`)}, "0 items; the model's minimum is 1", ""},
		{"modelled error", "sso-admin", "DescribePermissionSet", afterRetirement,
			conformance.Response{400, jsonHeader("X-Amzn-Errortype", "ResourceNotFoundException"), []byte(`{"__type":"ResourceNotFoundException","Message":"no"}`)}, "", "ResourceNotFoundException"},
		{"common error", "sso-admin", "DescribePermissionSet", afterRetirement,
			conformance.Response{400, jsonHeader("X-Amzn-Errortype", "UnrecognizedClientException"), []byte(`{"__type":"UnrecognizedClientException","Message":"no"}`)}, "", "UnrecognizedClientException"},
		{"error the model does not list", "sso-admin", "DescribePermissionSet", afterRetirement,
			conformance.Response{400, jsonHeader("X-Amzn-Errortype", "NoSuchThing"), []byte(`{"__type":"NoSuchThing","Message":"no"}`)}, "code NoSuchThing is neither", "NoSuchThing"},
		{"error without __type", "sso-admin", "DescribePermissionSet", afterRetirement,
			conformance.Response{400, jsonHeader("X-Amzn-Errortype", "ResourceNotFoundException"), []byte(`{"Message":"no"}`)}, "no __type in the body", "ResourceNotFoundException"},
		{"error without the header", "sso-admin", "DescribePermissionSet", afterRetirement,
			conformance.Response{400, jsonHeader(), []byte(`{"__type":"ResourceNotFoundException","Message":"no"}`)}, "no x-amzn-ErrorType header", "ResourceNotFoundException"},
		{"error member outside the enum", "organizations", "DescribeAccount", afterRetirement,
			conformance.Response{400, jsonHeader("X-Amzn-Errortype", "InvalidInputException"), []byte(`{"__type":"InvalidInputException","Message":"no","Reason":"INVALID_INPUT"}`)}, `"INVALID_INPUT" is not one of`, "InvalidInputException"},
		{"error member outside the pattern", "identitystore", "GetUserId", afterRetirement,
			conformance.Response{400, jsonHeader("X-Amzn-Errortype", "ResourceNotFoundException"), []byte(`{"__type":"ResourceNotFoundException","Message":"no","ResourceType":"USER","ResourceId":"bob"}`)}, "error.ResourceId", "ResourceNotFoundException"},
		{"conforming query answer", "iam", "GetUser", afterRetirement,
			conformance.Response{200, xmlHeader, []byte(`<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><User><Path>/</Path><UserName>bob</UserName><UserId>AIDAEXAMPLEEXAMPLE01</UserId><Arn>arn:aws:iam::111111111111:user/bob</Arn><CreateDate>2023-03-01T09:00:00Z</CreateDate></User></GetUserResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetUserResponse>`)}, "", ""},
		{"query timestamp as epoch seconds", "iam", "GetUser", afterRetirement,
			conformance.Response{200, xmlHeader, []byte(`<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><User><Path>/</Path><UserName>bob</UserName><UserId>AIDAEXAMPLEEXAMPLE01</UserId><Arn>arn:aws:iam::111111111111:user/bob</Arn><CreateDate>1678006800</CreateDate></User></GetUserResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetUserResponse>`)}, "is not iso8601", ""},
		{"query answer without its wrapper", "iam", "GetUser", afterRetirement,
			conformance.Response{200, xmlHeader, []byte(`<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><User/><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetUserResponse>`)}, "User: unknown element", ""},
		{"query error", "iam", "GetUser", afterRetirement,
			conformance.Response{404, xmlHeader, []byte(`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>no</Message></Error><RequestId>r</RequestId></ErrorResponse>`)}, "", "NoSuchEntity"},
		{"query error with the wrong status", "iam", "GetUser", afterRetirement,
			conformance.Response{400, xmlHeader, []byte(`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>no</Message></Error><RequestId>r</RequestId></ErrorResponse>`)}, "the model says 404", "NoSuchEntity"},
		{"query error shaped as JSON", "iam", "GetUser", afterRetirement,
			conformance.Response{404, jsonHeader(), []byte(`{"__type":"NoSuchEntity"}`)}, "not XML", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := conformance.NewChecker(load(tt.service), conformance.SDKClient(tt.service), tt.now)
			out := c.Check(tt.op, tt.resp)
			all := strings.Join(out.Violations, "\n")
			switch {
			case tt.want == "" && len(out.Violations) > 0:
				t.Errorf("got violations:\n%s\nwant none", all)
			case tt.want != "" && !strings.Contains(all, tt.want):
				t.Errorf("got violations:\n%s\nwant one containing %q", all, tt.want)
			}
			if out.Error != tt.wantErr {
				t.Errorf("got error code %q; want %q", out.Error, tt.wantErr)
			}
		})
	}
}
