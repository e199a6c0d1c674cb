package consolecmd

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/console"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

func TestFlags(t *testing.T) {
	tok := console.Share{StartURL: "https://acme.awsapps.com/start", SSORegion: "eu-west-1", Account: "111122223333", Role: "Dev", Region: "us-east-1", Destination: "s3"}.Encode()
	for _, tc := range []struct {
		args    []string
		env     map[string]string
		wantErr string
		check   func(*testing.T, *Options)
	}{
		{args: []string{"--duration", "1h", "-d", "ec2", "--print"}, env: map[string]string{"AWS_ENDPOINT_URL_SIGNIN": "http://127.0.0.1:1"},
			check: func(t *testing.T, o *Options) {
				if o.Duration != time.Hour || o.Destination != "ec2" || !o.Print || o.Endpoint != "http://127.0.0.1:1" {
					t.Errorf("got %+v", o)
				}
			}},
		{args: []string{"--token", tok}, check: func(t *testing.T, o *Options) {
			if o.Account != "111122223333" || o.Role != "Dev" || o.Destination != "s3" || o.Region != "us-east-1" {
				t.Errorf("got %+v; want the token's account, role, destination and region", o)
			}
		}},
		{args: []string{"--duration", "14m"}, wantErr: "--duration must be between 15m and 12h"},
		{args: []string{"--duration", "13h"}, wantErr: "--duration must be between 15m and 12h"},
		{args: []string{"-d", "nosuch"}, wantErr: `unknown service "nosuch"`},
		{args: []string{"-d", "http://console.aws.amazon.com/"}, wantErr: "not an https URL"},
		{args: []string{"--token", tok, "--role", "x"}, wantErr: "--token names the account"},
		{args: []string{"--token", "nope"}, wantErr: "not an ssoctl console token"},
	} {
		ios, _, _, _ := iostreams.Test()
		if tc.env != nil {
			ios.Getenv = func(k string) string { return tc.env[k] }
		}
		var got *Options
		cmd := NewCmd(factory.New(ios), func(_ context.Context, o *Options) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		err := cmd.Execute()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: got %v; want an error containing %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		tc.check(t, got)
	}
}
