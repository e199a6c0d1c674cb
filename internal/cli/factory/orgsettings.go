package factory

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/ssoctl/ssoctl/internal/orgconfig"
)

// OrgSettings loads the org settings file: flag (--org-config) when set,
// else $SSOCTL_ORG_CONFIG, else ~/.config/ssoctl/org.yaml. A file named by
// the flag or the variable must exist; the default one may be absent
// (nil, nil) unless required.
func (f *Factory) OrgSettings(flag string, required bool) (*orgconfig.Config, error) {
	path, named := flag, flag != ""
	if path == "" {
		if path = f.IOStreams.Getenv("SSOCTL_ORG_CONFIG"); path != "" {
			named = true
		} else if home := f.IOStreams.Getenv("HOME"); home != "" {
			path = filepath.Join(home, ".config", "ssoctl", "org.yaml")
		}
	}
	if path == "" {
		if required {
			return nil, errors.New("no org settings: pass --org-config FILE or set SSOCTL_ORG_CONFIG (see examples/org.yaml)")
		}
		return nil, nil
	}
	cfg, err := orgconfig.Load(path)
	if errors.Is(err, orgconfig.ErrNotFound) {
		if named || required {
			return nil, fmt.Errorf("org settings %s not found: create it (see examples/org.yaml) or pass --org-config FILE", path)
		}
		return nil, nil
	}
	return cfg, err
}
