// IAM MFA devices: virtual devices created, enabled for a user, deactivated,
// deleted and listed.

package emulator

import (
	"encoding/base64"
	"net/url"
	"slices"
	"strings"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// isVirtualMFA tells a virtual MFA device's serial (its ARN) from a
// hardware token's serial number.
func isVirtualMFA(serial string) bool {
	return strings.HasPrefix(serial, "arn:") && strings.Contains(serial, iamVirtualMFASerialNamePrefix+"/")
}

// mfaOwner finds the user of the account a device is enabled for.
func (s *Server) mfaOwner(account, serial string) *IAMUser {
	return s.iamFindUser(account, func(u *IAMUser) bool {
		return slices.ContainsFunc(u.MFADevices, func(d MFADevice) bool { return d.SerialNumber == serial })
	})
}

func (s *Server) iamCreateVirtualMFADevice(form url.Values, c callerIdentity) (any, error) {
	name, err := iamName(form, "VirtualMFADeviceName", 226)
	if err != nil {
		return nil, err
	}
	path, err := iamPathParam(form)
	if err != nil {
		return nil, err
	}
	serial := "arn:aws:iam::" + c.Account + ":mfa" + path + name
	if empty(s.st.iamVirtualMFA, c.Account).Has(serial) || s.mfaOwner(c.Account, serial) != nil {
		return nil, iamAlreadyExists("MFADevice entity at the same path and name already exists.")
	}
	sub(s.st.iamVirtualMFA, c.Account).Put(serial, &VirtualMFADevice{AccountId: c.Account, SerialNumber: serial})
	// The seed is 40 base32 characters and the QR code a PNG, both sent
	// base64-encoded; the sandbox's seed opens no real authenticator.
	seed := []byte(strings.ToUpper(s.secret(40)))
	for i, b := range seed {
		if !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", rune(b)) {
			seed[i] = 'A' + b%26
		}
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), seed...)
	return struct {
		SerialNumber     string `xml:"VirtualMFADevice>SerialNumber"`
		Base32StringSeed string `xml:"VirtualMFADevice>Base32StringSeed"`
		QRCodePNG        string `xml:"VirtualMFADevice>QRCodePNG"`
	}{serial, base64.StdEncoding.EncodeToString(seed), base64.StdEncoding.EncodeToString(png)}, nil
}

func iamSerialParam(form url.Values) (string, error) {
	serial, err := iamRequired(form, "SerialNumber")
	if err != nil {
		return "", err
	}
	return serial, iamPattern("serialNumber", serial, 256, reIAMMFASerial())
}

func (s *Server) iamEnableMFADevice(form url.Values, c callerIdentity) (any, error) {
	serial, err := iamSerialParam(form)
	if err != nil {
		return nil, err
	}
	for _, p := range []string{"AuthenticationCode1", "AuthenticationCode2"} {
		code, err := iamRequired(form, p)
		if err != nil {
			return nil, err
		}
		if !reIAMAuthCode().MatchString(code) {
			return nil, iamValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 6", code, lowerFirst(p))
		}
	}
	u, err := s.iamNamedUser(form, c)
	if err != nil {
		return nil, err
	}
	if s.mfaOwner(c.Account, serial) != nil {
		return nil, iamAlreadyExists("MFA Device is already in use.")
	}
	if !empty(s.st.iamVirtualMFA, c.Account).Has(serial) {
		return nil, iamNoSuchEntity("VirtualMFADevice with serial number %s doesn't exist.", serial)
	}
	if len(u.MFADevices) >= iamMFADevicesPerUser {
		return nil, iamLimit("MFADevicesPerUser", iamMFADevicesPerUser)
	}
	sub(s.st.iamVirtualMFA, c.Account).Del(serial)
	u.MFADevices = append(u.MFADevices, MFADevice{SerialNumber: serial, EnableDate: s.now()})
	return nil, nil
}

func (s *Server) iamDeactivateMFADevice(form url.Values, c callerIdentity) (any, error) {
	serial, err := iamSerialParam(form)
	if err != nil {
		return nil, err
	}
	u, err := s.iamUserFor(form, c)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(u.MFADevices, func(d MFADevice) bool { return d.SerialNumber == serial })
	if i < 0 {
		return nil, iamNoSuchEntity("MFA Device with serial number %s does not exist.", serial)
	}
	u.MFADevices = without(u.MFADevices, i)
	if isVirtualMFA(serial) {
		sub(s.st.iamVirtualMFA, c.Account).Put(serial, &VirtualMFADevice{AccountId: c.Account, SerialNumber: serial})
	}
	return nil, nil
}

func (s *Server) iamDeleteVirtualMFADevice(form url.Values, c callerIdentity) (any, error) {
	serial, err := iamSerialParam(form)
	if err != nil {
		return nil, err
	}
	if s.mfaOwner(c.Account, serial) != nil {
		return nil, iamDeleteConflict("MFA device is still in use.")
	}
	if !empty(s.st.iamVirtualMFA, c.Account).Has(serial) {
		return nil, iamNoSuchEntity("VirtualMFADevice with serial number %s doesn't exist.", serial)
	}
	sub(s.st.iamVirtualMFA, c.Account).Del(serial)
	return nil, nil
}

// iamListVirtualMFADevices lists the account's virtual devices, assigned
// (enabled for a user), unassigned, or both, by serial number.
func (s *Server) iamListVirtualMFADevices(form url.Values, c callerIdentity) (any, error) {
	status := form.Get("AssignmentStatus")
	switch status {
	case "":
		status = "Any"
	case "Assigned", "Unassigned", "Any":
	default:
		return nil, iamValidation("1 validation error detected: Value '%s' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set: [Unassigned, Any, Assigned]", status)
	}
	type deviceXML struct {
		SerialNumber string      `xml:"SerialNumber"`
		User         *iamUserXML `xml:"User,omitempty"`
		EnableDate   string      `xml:"EnableDate,omitempty"`
	}
	var devices []deviceXML
	if status != "Assigned" {
		for _, d := range empty(s.st.iamVirtualMFA, c.Account).Values() {
			devices = append(devices, deviceXML{SerialNumber: d.SerialNumber})
		}
	}
	if status != "Unassigned" {
		for _, u := range empty(s.st.iamUsers, c.Account).Values() {
			for _, d := range u.MFADevices {
				if isVirtualMFA(d.SerialNumber) {
					x := iamUserOut(u)
					devices = append(devices, deviceXML{d.SerialNumber, &x, awsproto.ISOTime(d.EnableDate)})
				}
			}
		}
	}
	slices.SortFunc(devices, func(a, b deviceXML) int { return strings.Compare(a.SerialNumber, b.SerialNumber) })
	return iamListPage("VirtualMFADevices", "iam-vmfa|"+c.Account+"|"+status, form, devices, func(d deviceXML) deviceXML { return d })
}
