package credscmd

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ssoctl/ssoctl/internal/cli/factory"
	"github.com/ssoctl/ssoctl/internal/iostreams"
)

func TestExecArgs(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := factory.New(ios)
	var got *execOptions
	cmd := NewExecCmd(f, func(_ context.Context, o *execOptions) error { got = o; return nil })
	// Flags after the command are the command's own.
	cmd.SetArgs([]string{"-a", "123456789012", "-r", "Dev", "--", "aws", "s3", "ls", "--profile", "x"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"aws", "s3", "ls", "--profile", "x"}; !cmp.Equal(got.Argv, want) {
		t.Errorf("argv %q; want %q", got.Argv, want)
	}
}

func TestExportFormatFlag(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	cmd := NewExportCmd(factory.New(ios), func(context.Context, *exportOptions) error { return nil })
	cmd.SetArgs([]string{"--format", "yaml"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	if err == nil || !strings.Contains(err.Error(), "--format must be one of") {
		t.Errorf("--format yaml: %v", err)
	}
}
