package factory

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssoctl/ssoctl/internal/render"
)

// OutputFormat picks the output format: the -o flag when given (checked
// against allowed), else tty on a terminal and notTTY otherwise.
func (f *Factory) OutputFormat(allowed []string, tty, notTTY string) (string, error) {
	o := f.Global.Output
	if o == "" {
		if f.IOStreams.IsStdoutTTY() {
			return tty, nil
		}
		return notTTY, nil
	}
	for _, a := range allowed {
		if a == o {
			return o, nil
		}
	}
	return "", Usagef("unsupported output format %q (choose one of %v)", o, allowed)
}

// outputAnnotation is the cobra annotation that lists the -o formats a
// command takes ("" for none).
const outputAnnotation = "ssoctl.output"

// SetOutputs records the -o formats cmd takes (none: it prints no data, or
// only in a fixed format, and -o is a usage error). The root checks -o against them before the command runs and
// lists them in its help.
func SetOutputs(cmd *cobra.Command, formats ...string) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[outputAnnotation] = strings.Join(formats, ", ")
}

// Outputs returns the formats SetOutputs recorded, and whether it was
// called for cmd.
func Outputs(cmd *cobra.Command) (formats []string, declared bool) {
	v, ok := cmd.Annotations[outputAnnotation]
	if !ok || v == "" {
		return nil, ok
	}
	return strings.Split(v, ", "), true
}

// csvAnnotation marks a command that writes CSV other than through -o csv
// (assignments cfn --assignments-csv), so --csv-raw applies to it.
const csvAnnotation = "ssoctl.csv"

// SetWritesCSV records that cmd writes CSV through a flag of its own, so
// that --csv-raw applies to it.
func SetWritesCSV(cmd *cobra.Command) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[csvAnnotation] = "true"
}

// RowsOptions are the render options of the global flags: --csv-raw.
func (f *Factory) RowsOptions() render.RowsOptions {
	return render.RowsOptions{ExactCSV: f.Global.CSVRaw}
}

// CheckOutput rejects a -o that cmd does not take, and --csv-raw on a
// command that writes no CSV. A command that did not declare its formats
// with SetOutputs (cobra's completion and help) takes none.
func (f *Factory) CheckOutput(cmd *cobra.Command) error {
	o := f.Global.Output
	formats, _ := Outputs(cmd)
	if f.Global.CSVRaw && !slices.Contains(formats, "csv") && cmd.Annotations[csvAnnotation] == "" {
		return Usagef("%s writes no CSV: --csv-raw does not apply", cmd.CommandPath())
	}
	if o == "" {
		return nil
	}
	if len(formats) == 0 {
		return Usagef("%s prints no data to format: -o/--output does not apply", cmd.CommandPath())
	}
	for _, v := range formats {
		if v == o {
			return nil
		}
	}
	return Usagef("unsupported output format %q for %s (choose one of %s)", o, cmd.CommandPath(), strings.Join(formats, ", "))
}

// CommandFormat is OutputFormat over the formats cmd declared with
// SetOutputs: the list the root checks and lists in its help is the list
// the command accepts, so the two cannot drift.
func (f *Factory) CommandFormat(cmd *cobra.Command, tty, notTTY string) (string, error) {
	formats, _ := Outputs(cmd)
	return f.OutputFormat(formats, tty, notTTY)
}
