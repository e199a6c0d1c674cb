package logincmd

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

func TestLoginFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var got *options
	cmd := NewCmd(factory.New(ios), func(_ context.Context, o *options) error { got = o; return nil })
	cmd.SetArgs([]string{"--use-device-code", "--no-browser", "--timeout", "90s", "--sso-session", "acme"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !got.UseDeviceCode || !got.NoBrowser || got.Timeout != 90*time.Second || got.Target == nil {
		t.Errorf("options %+v", got)
	}
}

func TestLoginTimeoutMustBePositive(t *testing.T) {
	for _, v := range []string{"0s", "-1m"} {
		ios, _, _, _ := iostreams.Test()
		cmd := NewCmd(factory.New(ios), func(context.Context, *options) error { return nil })
		cmd.SetArgs([]string{"--timeout", v})
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		err := cmd.Execute()
		if factory.ExitCode(err) != factory.ExitUsage || err == nil || !strings.Contains(err.Error(), "--timeout must be positive") {
			t.Errorf("--timeout %s: %v; want a usage error", v, err)
		}
	}
}
