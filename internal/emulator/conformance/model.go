// Package conformance checks the sandbox against AWS's own published API
// models, as botocore ships them (botocore/data/<service>/<version>/
// service-2.json, gzipped in newer releases): it builds requests from a
// model, sends them over HTTP and checks the raw responses against the
// model's output and error shapes, in the wire format of the service's
// protocol. It is used by tests only; it never reaches AWS.
package conformance

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Model is one service's API model.
type Model struct {
	// Service is the model's directory name under botocore/data (sso-admin,
	// sts, …), which is also the sandbox's service name except for sesv2.
	Service    string                `json:"-"`
	Version    string                `json:"-"`
	Metadata   Metadata              `json:"metadata"`
	Operations map[string]*Operation `json:"operations"`
	Shapes     map[string]*Shape     `json:"shapes"`
	// Paginators are the model's paginators-1.json entries, by operation.
	Paginators map[string]Paginator `json:"-"`
}

// Metadata is the model's service metadata.
type Metadata struct {
	Protocol       string   `json:"protocol"`
	JSONVersion    string   `json:"jsonVersion"`
	TargetPrefix   string   `json:"targetPrefix"`
	SigningName    string   `json:"signingName"`
	EndpointPrefix string   `json:"endpointPrefix"`
	APIVersion     string   `json:"apiVersion"`
	XMLNamespace   string   `json:"xmlNamespace"`
	ServiceID      string   `json:"serviceId"`
	Auth           []string `json:"auth"`
}

// Operation is one operation of a model.
type Operation struct {
	Name string `json:"name"`
	HTTP struct {
		Method       string `json:"method"`
		RequestURI   string `json:"requestUri"`
		ResponseCode int    `json:"responseCode"`
	} `json:"http"`
	Input    *Ref     `json:"input"`
	Output   *Ref     `json:"output"`
	Errors   []Ref    `json:"errors"`
	AuthType string   `json:"authtype"`
	Auth     []string `json:"auth"`
}

// Unsigned reports whether the operation is called without a signature
// (the portal and OIDC operations).
func (o *Operation) Unsigned() bool {
	return o.AuthType == "none" || slices.Contains(o.Auth, "smithy.api#noAuth")
}

// Ref is a reference to a shape: an operation's input or output, a
// structure member, a list member, a map key or value.
type Ref struct {
	Shape           string `json:"shape"`
	Location        string `json:"location"`
	LocationName    string `json:"locationName"`
	ResultWrapper   string `json:"resultWrapper"`
	TimestampFormat string `json:"timestampFormat"`
	Flattened       bool   `json:"flattened"`
	JSONValue       bool   `json:"jsonvalue"`
	XMLAttribute    bool   `json:"xmlAttribute"`
	Deprecated      bool   `json:"deprecated"`
	Documentation   string `json:"documentation"`
}

// Shape is a model shape.
type Shape struct {
	Type            string          `json:"type"`
	Members         map[string]*Ref `json:"members"`
	Required        []string        `json:"required"`
	Member          *Ref            `json:"member"`
	Key             *Ref            `json:"key"`
	Value           *Ref            `json:"value"`
	Enum            []string        `json:"enum"`
	Min             *float64        `json:"min"`
	Max             *float64        `json:"max"`
	Pattern         string          `json:"pattern"`
	TimestampFormat string          `json:"timestampFormat"`
	Flattened       bool            `json:"flattened"`
	Payload         string          `json:"payload"`
	LocationName    string          `json:"locationName"`
	Exception       bool            `json:"exception"`
	Document        bool            `json:"document"`
	Union           bool            `json:"union"`
	Error           *struct {
		Code           string `json:"code"`
		HTTPStatusCode int    `json:"httpStatusCode"`
		SenderFault    bool   `json:"senderFault"`
	} `json:"error"`
}

// Paginator is one entry of paginators-1.json.
type Paginator struct {
	InputToken  any    `json:"input_token"`
	OutputToken any    `json:"output_token"`
	LimitKey    string `json:"limit_key"`
}

// ErrorCode is the code an error shape is sent with: the query protocol's
// awsQueryError code when the model gives one, else the shape's name.
func (m *Model) ErrorCode(shape string) string {
	if s := m.Shapes[shape]; s != nil && s.Error != nil && s.Error.Code != "" {
		return s.Error.Code
	}
	return shape
}

// BotocoreData finds botocore's data directory through python3, or says
// why it cannot.
func BotocoreData(ctx context.Context) (string, error) {
	py, err := exec.LookPath("python3")
	if err != nil {
		return "", errors.New("python3 not found on PATH")
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, "-c", "import botocore, os; print(os.path.join(os.path.dirname(botocore.__file__), 'data'))").Output()
	if err != nil {
		return "", fmt.Errorf("python3 cannot import botocore: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("botocore data directory: %v", err)
	}
	return dir, nil
}

// BotocoreVersion is the version of the botocore that holds dataDir, or "".
func BotocoreVersion(dataDir string) string {
	b, err := os.ReadFile(filepath.Join(filepath.Dir(dataDir), "__init__.py"))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "__version__ = "); ok {
			return strings.Trim(v, `'"`)
		}
	}
	return ""
}

// Load reads the newest API version of a service's model from botocore's
// data directory (service-2.json or service-2.json.gz) and its paginators.
func Load(dataDir, service string) (*Model, error) {
	versions, err := os.ReadDir(filepath.Join(dataDir, service))
	if err != nil {
		return nil, fmt.Errorf("model of %s: %w", service, err)
	}
	var names []string
	for _, v := range versions {
		if v.IsDir() {
			names = append(names, v.Name())
		}
	}
	slices.Sort(names)
	for i := len(names) - 1; i >= 0; i-- {
		dir := filepath.Join(dataDir, service, names[i])
		m := &Model{Service: service, Version: names[i]}
		ok, err := readModelFile(filepath.Join(dir, "service-2.json"), m)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		var pag struct {
			Pagination map[string]Paginator `json:"pagination"`
		}
		if _, err := readModelFile(filepath.Join(dir, "paginators-1.json"), &pag); err != nil {
			return nil, err
		}
		m.Paginators = pag.Pagination
		for name, op := range m.Operations {
			op.Name = name
		}
		return m, nil
	}
	return nil, fmt.Errorf("model of %s: no service-2.json under %s", service, filepath.Join(dataDir, service))
}

// readModelFile decodes path, or path.gz, into v; false when neither exists.
func readModelFile(path string, v any) (bool, error) {
	var r io.Reader
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		f, err = os.Open(path + ".gz")
		if errors.Is(err, os.ErrNotExist) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			return false, fmt.Errorf("%s.gz: %w", path, err)
		}
		r = gz
	} else if err != nil {
		return false, err
	} else {
		defer f.Close()
		r = f
	}
	if err := json.NewDecoder(r).Decode(v); err != nil {
		return false, fmt.Errorf("decode %s: %w", path, err)
	}
	return true, nil
}

// WireName is the name a member is sent under: its locationName, else its
// member name.
func WireName(name string, ref *Ref) string {
	if ref.LocationName != "" {
		return ref.LocationName
	}
	return name
}
