package factory

import (
	"io"
	"os"

	"github.com/ssoctl/ssoctl/internal/iostreams"
	"github.com/ssoctl/ssoctl/internal/securefile"
)

// Output is where a command writes what its -f/--out flag names: stdout
// for "-", else the file, replaced whole at Commit (securefile), so an
// interrupted run leaves the old file or none.
type Output struct {
	io.Writer
	// Path is the file ("-" for stdout).
	Path string
	file *securefile.File
}

// OpenOutput opens path for a command's output: "-" is stdout, for every
// -f and --out flag; anything else is a file created with mode perm. It
// fails at once, before any API call, when the file cannot be written.
func OpenOutput(ios *iostreams.IOStreams, path string, perm os.FileMode) (*Output, error) {
	if path == "-" {
		return &Output{Writer: ios.Out, Path: path}, nil
	}
	f, err := securefile.Create(path, perm)
	if err != nil {
		return nil, err
	}
	return &Output{Writer: f, Path: path, file: f}, nil
}

// Stdout reports whether the output is stdout.
func (o *Output) Stdout() bool { return o.file == nil }

// Replaced reports whether the output is a file replaced at Commit (not
// stdout, nor a device or pipe written in place), so that CommitAs can put
// it elsewhere.
func (o *Output) Replaced() bool { return o.file != nil && !o.file.InPlace() }

// Commit puts the file in place (nothing for stdout).
func (o *Output) Commit() error {
	if o.file == nil {
		return nil
	}
	return o.file.Commit()
}

// CommitAs puts the file at path instead of where it was opened for (an
// incomplete report kept beside the one asked for).
func (o *Output) CommitAs(path string) error {
	if o.file == nil {
		return nil
	}
	return o.file.CommitAs(path)
}

// Discard drops the file; after Commit it does nothing, so callers defer it.
func (o *Output) Discard() {
	if o.file != nil {
		o.file.Discard()
	}
}

// WriteOutput writes data whole to path ("-": stdout) with mode perm.
func WriteOutput(ios *iostreams.IOStreams, path string, data []byte, perm os.FileMode) error {
	o, err := OpenOutput(ios, path, perm)
	if err != nil {
		return err
	}
	defer o.Discard()
	if _, err := o.Write(data); err != nil {
		return err
	}
	return o.Commit()
}
