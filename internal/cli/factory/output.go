package factory

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
