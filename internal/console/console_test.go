package console

import (
	"errors"
	"strings"
	"testing"
)

func TestDestination(t *testing.T) {
	for _, tc := range []struct{ dest, region, want string }{
		{"", "", "https://console.aws.amazon.com/console/home"},
		{"s3", "eu-west-1", "https://console.aws.amazon.com/s3/home?region=eu-west-1"},
		{"EC2", "us-east-1", "https://console.aws.amazon.com/ec2/home?region=us-east-1"},
		{"cloudformation", "us-gov-west-1", "https://console.amazonaws-us-gov.com/cloudformation/home?region=us-gov-west-1"},
		{"logs", "cn-north-1", "https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1#logsV2:log-groups"},
		{"https://eu-west-1.console.aws.amazon.com/lambda/home", "", "https://eu-west-1.console.aws.amazon.com/lambda/home"},
	} {
		got, err := Destination(tc.dest, tc.region)
		if err != nil || got != tc.want {
			t.Errorf("Destination(%q, %q) = %q, %v; want %q", tc.dest, tc.region, got, err, tc.want)
		}
	}
	if _, err := Destination("nosuch", ""); !errors.Is(err, ErrUnknownService) || !strings.Contains(err.Error(), "cloudformation") {
		t.Errorf("unknown service: got %v; want ErrUnknownService listing the names", err)
	}
	if _, err := Destination("http://console.aws.amazon.com/", ""); err == nil {
		t.Errorf("http destination: got no error; want one")
	}
}

func TestFederationURL(t *testing.T) {
	for region, want := range map[string]string{
		"":               "https://signin.aws.amazon.com/federation",
		"eu-west-1":      "https://signin.aws.amazon.com/federation",
		"us-gov-east-1":  "https://signin.amazonaws-us-gov.com/federation",
		"cn-northwest-1": "https://signin.amazonaws.cn/federation",
	} {
		if got := FederationURL(region); got != want {
			t.Errorf("FederationURL(%q) = %s; want %s", region, got, want)
		}
	}
}

func TestShareRoundTrip(t *testing.T) {
	s := Share{StartURL: "https://acme.awsapps.com/start", SSORegion: "eu-west-1", Account: "111122223333", Role: "ReadOnly", Region: "us-east-1", Destination: "s3"}
	tok := s.Encode()
	if strings.ContainsAny(tok, " \n/+=") {
		t.Errorf("token %q is not one copyable word", tok)
	}
	got, err := DecodeShare(" " + tok + "\n")
	if err != nil || got != s {
		t.Errorf("DecodeShare = %+v, %v; want %+v", got, err, s)
	}
	for _, bad := range []string{"", "hello", sharePrefix + "!!!", sharePrefix + "e30"} {
		if _, err := DecodeShare(bad); err == nil {
			t.Errorf("DecodeShare(%q): got no error; want one", bad)
		}
	}
}

func TestLoginURL(t *testing.T) {
	u := LoginURL("https://signin.aws.amazon.com/federation", "https://acme.awsapps.com/start", "https://console.aws.amazon.com/s3/home?region=eu-west-1", "TOK")
	want := "https://signin.aws.amazon.com/federation?Action=login&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fs3%2Fhome%3Fregion%3Deu-west-1&Issuer=https%3A%2F%2Facme.awsapps.com%2Fstart&SigninToken=TOK"
	if u != want {
		t.Errorf("got %s; want %s", u, want)
	}
}
