package sso_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/awsclient"
	"github.com/ssoctl/ssoctl/internal/awsconfig"
	"github.com/ssoctl/ssoctl/internal/emulator"
	"github.com/ssoctl/ssoctl/internal/sso"
)

const chainConfig = `[sso-session emu]
sso_start_url = https://example.awsapps.com/start
sso_region = eu-west-1

[profile dev]
sso_session = emu
sso_account_id = 640775136188
sso_role_name = Developer
region = us-east-2

[profile deploy]
role_arn = arn:aws:iam::640775136188:role/DeployRole
source_profile = dev
region = eu-west-3

[profile deeper]
role_arn = arn:aws:iam::640775136188:role/DeployRole
source_profile = deploy
role_session_name = me
external_id = ext-1
duration_seconds = 1800
mfa_serial = arn:aws:iam::640775136188:mfa/dave

[profile odd-duration]
role_arn = arn:aws:iam::640775136188:role/DeployRole
source_profile = dev
duration_seconds = an hour

[profile loop-a]
role_arn = arn:aws:iam::640775136188:role/A
source_profile = loop-b

[profile loop-b]
role_arn = arn:aws:iam::640775136188:role/B
source_profile = loop-a

[profile self]
role_arn = arn:aws:iam::640775136188:role/A
source_profile = self

[profile missing]
role_arn = arn:aws:iam::640775136188:role/A
source_profile = nowhere

[profile both]
role_arn = arn:aws:iam::640775136188:role/A
source_profile = dev
credential_source = Environment

[profile neither]
role_arn = arn:aws:iam::640775136188:role/A

[profile from-env]
role_arn = arn:aws:iam::640775136188:role/A
credential_source = Environment

[profile keys]
aws_access_key_id = AKIAEXAMPLE
aws_secret_access_key = secret

[profile from-keys]
role_arn = arn:aws:iam::640775136188:role/A
source_profile = keys

[profile no-role]
sso_session = emu

[profile from-no-role]
role_arn = arn:aws:iam::640775136188:role/A
source_profile = no-role
`

func loadChainConfig(t *testing.T) *awsconfig.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(chainConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := awsconfig.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestResolveChain: profiles with role_arn resolve to the Identity Center
// role they start from and the roles assumed from it, in order, with each
// profile's own keys; the region is the named profile's. A cycle, a
// missing source, both or neither of source_profile and credential_source
// are one-line errors naming the profile.
func TestResolveChain(t *testing.T) {
	f := loadChainConfig(t)
	deploy := sso.Hop{Profile: "deploy", RoleARN: "arn:aws:iam::640775136188:role/DeployRole"}
	tests := []struct {
		profile string
		want    sso.Target
		err     string
	}{
		{profile: "deploy", want: sso.Target{Profile: "deploy", AccountID: "640775136188", RoleName: "Developer", ProfileRegion: "eu-west-3", Chain: []sso.Hop{deploy}}},
		{profile: "deeper", want: sso.Target{Profile: "deeper", AccountID: "640775136188", RoleName: "Developer", Chain: []sso.Hop{deploy, {
			Profile: "deeper", RoleARN: "arn:aws:iam::640775136188:role/DeployRole", SessionName: "me", ExternalID: "ext-1",
			DurationSeconds: 1800, MFASerial: "arn:aws:iam::640775136188:mfa/dave"}}}},
		{profile: "odd-duration", want: sso.Target{Profile: "odd-duration", AccountID: "640775136188", RoleName: "Developer", Chain: []sso.Hop{{Profile: "odd-duration", RoleARN: "arn:aws:iam::640775136188:role/DeployRole"}}}},
		{profile: "loop-a", err: `profile "loop-b": source_profile "loop-a" makes a cycle: loop-a -> loop-b -> loop-a`},
		{profile: "self", err: `profile "self": source_profile "self" makes a cycle: self -> self`},
		{profile: "missing", err: `profile "missing": source_profile "nowhere" does not exist in `},
		{profile: "both", err: `profile "both": has both source_profile and credential_source`},
		{profile: "neither", err: `profile "neither": has role_arn but neither source_profile nor credential_source`},
		{profile: "from-env", err: `profile "from-env": credential_source = Environment: ssoctl assumes roles from an Identity Center profile`},
		{profile: "from-keys", err: `profile "from-keys": source_profile "keys" has no Identity Center configuration`},
		{profile: "from-no-role", err: `profile "from-no-role": source_profile "no-role" has no sso_account_id and sso_role_name`},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			got, err := sso.Resolve(f, sso.Selector{Profile: tt.profile})
			if tt.err != "" {
				var ce *sso.ChainError
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) || !errors.As(err, &ce) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("got %v; want a one-line ChainError starting %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Config = sso.Config{Session: "emu", StartURL: "https://example.awsapps.com/start", Region: "eu-west-1"}
			tt.want.LoginArgs = []string{"--profile", tt.profile}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// An account or role on the command line has nothing to apply to.
	if _, err := sso.Resolve(f, sso.Selector{Profile: "deploy", RoleName: "Other"}); err == nil || !strings.Contains(err.Error(), "--account and --role do not apply") {
		t.Errorf("--role with a chain: %v", err)
	}
	// AWS_PROFILE naming a chain that does not start from Identity Center
	// is passed over, as a profile without Identity Center keys is.
	got, err := sso.Resolve(f, sso.Selector{EnvProfile: "from-env", DefaultStartURL: "https://x.awsapps.com/start", DefaultRegion: "us-east-1"})
	if err != nil || got.Config.StartURL != "https://x.awsapps.com/start" {
		t.Errorf("AWS_PROFILE=from-env: %+v, %v; want the default start URL", got, err)
	}
	// …and one naming a cycle is an error, as in botocore.
	if _, err := sso.Resolve(f, sso.Selector{EnvProfile: "loop-a"}); err == nil || !strings.Contains(err.Error(), "makes a cycle") {
		t.Errorf("AWS_PROFILE=loop-a: %v", err)
	}
}

// TestResolveChainAgreesWithBotocore: botocore resolves (without a call) the
// chains ssoctl resolves, and refuses those ssoctl calls broken; the test
// skips without python3 and botocore.
func TestResolveChainAgreesWithBotocore(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found on PATH")
	}
	f := loadChainConfig(t)
	script := `
import sys
try:
    import botocore.session
except ImportError:
    print("absent"); sys.exit(0)
for p in sys.argv[1:]:
    try:
        c = botocore.session.Session(profile=p).get_credentials()
        print(p, "ok" if c is not None else "none")
    except Exception as e:
        print(p, "refused", type(e).__name__)
`
	ours := map[string]bool{"deploy": true, "deeper": true, "odd-duration": true, "loop-a": false, "self": false, "missing": false, "both": false, "neither": false}
	args := []string{"-c", script}
	for p := range ours {
		args = append(args, p)
	}
	cmd := exec.Command(py, args...)
	cmd.Env = append(os.Environ(), "AWS_CONFIG_FILE="+f.Path, "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(t.TempDir(), "none"),
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_PROFILE=", "AWS_EC2_METADATA_DISABLED=true")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	if strings.TrimSpace(string(out)) == "absent" {
		t.Skip("python3 cannot import botocore")
	}
	said := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		p, rest, _ := strings.Cut(line, " ")
		said[p] = rest
	}
	for p, resolves := range ours {
		if (said[p] == "ok") != resolves {
			t.Errorf("profile %s: botocore says %q; ssoctl resolves it: %v", p, said[p], resolves)
		}
	}
}

// The expected digests were computed with botocore:
// AssumeRoleCredentialFetcher(None, None, role_arn, extra_args)._create_cache_key().
func TestAssumeRoleCacheKey(t *testing.T) {
	const arn = "arn:aws:iam::640775136188:role/DeployRole"
	for _, tt := range []struct {
		hop  sso.Hop
		want string
	}{
		{sso.Hop{RoleARN: arn}, "48f853486e944538f09a27944cc7d889baccd029"},
		{sso.Hop{RoleARN: arn, SessionName: "me", ExternalID: "ext-1", DurationSeconds: 1800, MFASerial: "arn:aws:iam::111122223333:mfa/dave"}, "cab5df341b3a6eb97c1e47ed7f534677011f3274"},
		{sso.Hop{RoleARN: arn, SessionName: "é", Profile: "not in the key"}, "bb3360fa4f72474f6a01754db42031adcdf2ad35"},
	} {
		if got := sso.AssumeRoleCacheKey(tt.hop); got != tt.want {
			t.Errorf("%+v: got %s; want %s", tt.hop, got, tt.want)
		}
	}
}

// chainManager is a Manager whose sts clients reach the sandbox.
func (s *sandbox) chainManager(home string) *sso.Manager {
	m := s.manager(home, nil)
	m.STS = func(ctx context.Context, region string, c aws.Credentials) (sso.STS, error) {
		set, err := awsclient.New(ctx, awsclient.Options{Region: region, EndpointURL: s.url, Unlimited: true,
			Credentials: credentials.StaticCredentialsProvider{Value: c}})
		if err != nil {
			return nil, err
		}
		return set.STS(), nil
	}
	return m
}

func (s *sandbox) callerARN(t *testing.T, cr *sso.RoleCredentials) string {
	t.Helper()
	set, err := awsclient.New(context.Background(), awsclient.Options{Region: "us-east-1", EndpointURL: s.url, Unlimited: true,
		Credentials: credentials.NewStaticCredentialsProvider(cr.AccessKeyID, cr.SecretAccessKey, cr.SessionToken)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := set.STS().GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Arn)
}

// TestChainCredentials: a chain from an Identity Center role into its
// account's DeployRole, and on into DeployRole again, with the real sts
// client; each hop cached (0600, botocore's file name) and reused, so a
// second call makes no call at all; concurrent cold callers make one
// AssumeRole per hop between them.
func TestChainCredentials(t *testing.T) {
	sb := newSandbox(t, emulator.Options{})
	home := t.TempDir()
	m := sb.chainManager(home)
	ctx := context.Background()
	cfg := sb.config("emu")
	if _, err := m.Login(ctx, cfg, device()); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:iam::" + devAccount + ":role/DeployRole"
	first := sso.Hop{Profile: "deploy", RoleARN: arn}
	second := sso.Hop{Profile: "again", RoleARN: arn, SessionName: "again", DurationSeconds: 900}
	target := sso.Target{Config: cfg, AccountID: devAccount, RoleName: devRole, Chain: []sso.Hop{first, second}}

	const n = 8
	var wg sync.WaitGroup
	got := make([]*sso.RoleCredentials, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = sb.chainManager(home).ChainCredentials(ctx, target, sso.ChainOptions{Region: "us-east-1"})
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
	}
	if want := "arn:aws:sts::" + devAccount + ":assumed-role/DeployRole/again"; sb.callerARN(t, got[0]) != want {
		t.Errorf("caller %s; want %s", sb.callerARN(t, got[0]), want)
	}
	if got[0].AccountID != devAccount {
		t.Errorf("account %s; want %s", got[0].AccountID, devAccount)
	}
	// Duration 900 s is inside the 15-minute window: never reused, so
	// the eight callers made their own second hop; the first hop (an
	// hour) was assumed once.
	calls := sb.calls(t)
	if calls["sso:GetRoleCredentials"] != 1 || calls["sts:AssumeRole"] != 1+n {
		t.Errorf("calls %v; want 1 GetRoleCredentials and %d AssumeRole", calls, 1+n)
	}
	path := m.AssumedPath(first)
	if filepath.Base(path) != "48f853486e944538f09a27944cc7d889baccd029.json" {
		t.Errorf("cache file %s; want botocore's name", path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %v; want 0600", path, fi.Mode())
	}
	file := readJSON(t, path)
	creds, _ := file["Credentials"].(map[string]any)
	if exp, _ := creds["Expiration"].(string); !strings.HasSuffix(exp, "+00:00") || creds["AccountId"] != devAccount {
		t.Errorf("cached %v; want the AWS CLI's layout", file)
	}

	// One hop, warm: no call at all.
	one := sso.Target{Config: cfg, AccountID: devAccount, RoleName: devRole, Chain: []sso.Hop{first}}
	before := sb.calls(t)
	cr, err := m.ChainCredentials(ctx, one, sso.ChainOptions{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if arn := sb.callerARN(t, cr); !regexp.MustCompile(`:assumed-role/DeployRole/botocore-session-\d+$`).MatchString(arn) {
		t.Errorf("caller %s; want botocore's default session name", arn)
	}
	after := sb.calls(t)
	if after["sts:AssumeRole"] != before["sts:AssumeRole"] || after["sso:GetRoleCredentials"] != before["sso:GetRoleCredentials"] {
		t.Errorf("a warm chain made calls: before %v, after %v", before, after)
	}
}

// TestChainMFA: a hop with mfa_serial asks for the code (and sends it);
// without a way to ask it fails with ErrMFARequired; a wrong code is
// AWS's AccessDenied, in one line.
func TestChainMFA(t *testing.T) {
	sb := newSandbox(t, emulator.Options{})
	home := t.TempDir()
	m := sb.chainManager(home)
	ctx := context.Background()
	cfg := sb.config("emu")
	if _, err := m.Login(ctx, cfg, device()); err != nil {
		t.Fatal(err)
	}
	hop := sso.Hop{Profile: "mfa", RoleARN: "arn:aws:iam::" + devAccount + ":role/DeployRole", MFASerial: "arn:aws:iam::" + devAccount + ":mfa/dave"}
	target := sso.Target{Config: cfg, AccountID: devAccount, RoleName: devRole, Chain: []sso.Hop{hop}}
	if _, err := m.ChainCredentials(ctx, target, sso.ChainOptions{}); !errors.Is(err, sso.ErrMFARequired) {
		t.Errorf("without a prompt: %v; want ErrMFARequired", err)
	}
	_, err := m.ChainCredentials(ctx, target, sso.ChainOptions{MFA: func(string) (string, error) { return "12345", nil }})
	if want := `assume role arn:aws:iam::640775136188:role/DeployRole (profile "mfa"): AccessDenied: MultiFactorAuthentication failed`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("a five-digit code: %v; want %s…", err, want)
	}
	var asked string
	cr, err := m.ChainCredentials(ctx, target, sso.ChainOptions{MFA: func(serial string) (string, error) { asked = serial; return "123456\n", nil }})
	if err != nil {
		t.Fatal(err)
	}
	if asked != hop.MFASerial || cr.AccountID != devAccount {
		t.Errorf("asked for %q, got account %s", asked, cr.AccountID)
	}
	// Cached: the next caller is not asked.
	if _, err := m.ChainCredentials(ctx, target, sso.ChainOptions{}); err != nil {
		t.Errorf("cached MFA credentials: %v", err)
	}
}
