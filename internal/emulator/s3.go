package emulator

import (
	"encoding/xml"
	"net/http"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

// listBuckets answers s3 ListBuckets for the caller's account: the demo
// buckets named after each account.
func (s *Server) listBuckets(w http.ResponseWriter, r *http.Request, reqID string) error {
	caller := s.caller(r)
	if e := expired(caller); e != nil {
		return e
	}
	s.mu.RLock()
	buckets := empty(s.st.buckets, caller.Account).Values()
	s.mu.RUnlock()
	type bucket struct {
		Name         string `xml:"Name"`
		CreationDate string `xml:"CreationDate"`
	}
	doc := struct {
		XMLName xml.Name `xml:"ListAllMyBucketsResult"`
		Xmlns   string   `xml:"xmlns,attr"`
		Owner   struct {
			ID          string `xml:"ID"`
			DisplayName string `xml:"DisplayName"`
		} `xml:"Owner"`
		Buckets []bucket `xml:"Buckets>Bucket"`
	}{Xmlns: s3NS}
	doc.Owner.ID = caller.Account
	doc.Owner.DisplayName = "sandbox-" + caller.Account
	for _, b := range buckets {
		doc.Buckets = append(doc.Buckets, bucket{b.Name, awsproto.ISOTime(b.Created)})
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-amz-request-id", reqID)
	_, _ = w.Write([]byte(xml.Header))
	return xml.NewEncoder(w).Encode(doc)
}

// writeS3Error writes S3's XML error document.
func writeS3Error(w http.ResponseWriter, reqID string, e *awsproto.Error) {
	doc := struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string   `xml:"Code"`
		Message   string   `xml:"Message"`
		RequestId string   `xml:"RequestId"`
	}{Code: e.Code, Message: e.Message, RequestId: reqID}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-amz-request-id", reqID)
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(doc)
}
