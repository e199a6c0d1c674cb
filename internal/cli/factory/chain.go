package factory

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/sso"
)

// What the commands that hand out credentials share for role chains
// (profiles with role_arn and source_profile): the sts client of each hop,
// built through awsclient like every other client, and the MFA prompt.

// assumeRoleClient is the sts client a chain's hop calls AssumeRole with:
// the source credentials, region, and --endpoint-url (else the SDK's
// AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL) as every client has them.
func (f *Factory) assumeRoleClient(ctx context.Context, region string, creds aws.Credentials) (sso.STS, error) {
	opts, err := f.BaseClientOptions()
	if err != nil {
		return nil, err
	}
	opts.Region, opts.EndpointURL = region, f.Global.EndpointURL
	opts.Profile = ""
	opts.Credentials = credentials.StaticCredentialsProvider{Value: creds}
	set, err := awsclient.New(ctx, opts)
	if err != nil {
		return nil, err
	}
	return set.STS(), nil
}

// ChainOptions are how a command's role chain is resolved: login as the
// sign-in flags allow, sts in region (else the profile's, else the
// Identity Center region), and MFA codes asked for with mfa (MFAPrompt;
// one prompt for the command's whole run).
func ChainOptions(t sso.Target, login *sso.LoginOptions, region string, mfa func(serial string) (string, error)) sso.ChainOptions {
	r := region
	if r == "" {
		r = t.ProfileRegion
	}
	if r == "" {
		r = t.Config.Region
	}
	return sso.ChainOptions{Login: login, Region: r, MFA: mfa}
}

// MFAPrompt asks for the code of an MFA device at the terminal, as
// botocore does ("Enter MFA code for SERIAL: "), once per device: like
// botocore, ssoctl does not ask again when credentials assumed with a code
// expire while it runs; it says to run the command again. Nil when stdin
// and stderr are not a terminal (credential_process, say): then a hop with
// mfa_serial fails, unless its credentials are cached.
func (f *Factory) MFAPrompt() func(serial string) (string, error) {
	if !f.IOStreams.CanPrompt() {
		return nil
	}
	var mu sync.Mutex
	asked := map[string]bool{}
	return func(serial string) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if asked[serial] {
			return "", fmt.Errorf("credentials assumed with an MFA code of %s expired: run the command again for a new code", serial)
		}
		asked[serial] = true
		return f.Prompter.Input(fmt.Sprintf("Enter MFA code for %s: ", serial))
	}
}
