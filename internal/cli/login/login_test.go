package login

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/sso"
)

func TestChooseFlow(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("a browser is always assumed there")
	}
	tests := []struct {
		env        map[string]string
		deviceFlag bool
		want       sso.Flow
	}{
		{nil, false, sso.FlowDevice}, // no display: device code
		{map[string]string{"DISPLAY": ":0"}, false, sso.FlowPKCE},
		{map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, false, sso.FlowPKCE},
		{map[string]string{"SSOCTL_BROWSER": "browse"}, false, sso.FlowPKCE},
		{map[string]string{"DISPLAY": ":0"}, true, sso.FlowDevice},
	}
	for _, tt := range tests {
		ios, _, _, _ := iostreams.Test()
		ios.Getenv = func(k string) string { return tt.env[k] }
		if got := ChooseFlow(ios, tt.deviceFlag); got != tt.want {
			t.Errorf("env %v, --use-device-code=%v: %v; want %v", tt.env, tt.deviceFlag, got, tt.want)
		}
	}
}

func TestExplain(t *testing.T) {
	target := sso.Target{LoginArgs: []string{"--profile", "dev"}}
	err := Explain(fmt.Errorf("%w: no cached token for sso-session x", sso.ErrSignInRequired), target)
	if factory.ExitCode(err) != factory.ExitSignIn || !errors.Is(err, sso.ErrSignInRequired) {
		t.Errorf("%v is not a sign-in-required error (exit 4)", err)
	}
	if want := "sign-in required: no cached token for sso-session x; run `ssoctl login --profile dev` to sign in"; err.Error() != want {
		t.Errorf("message %q; want %q", err, want)
	}
	other := errors.New("boom")
	if Explain(other, target) != other {
		t.Error("another error was changed")
	}
}

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
