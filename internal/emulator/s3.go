package emulator

import (
	"encoding/xml"
	"net/http"
	"strconv"

	"github.com/ssoctl/ssoctl/internal/emulator/awsproto"
)

// s3MaxBuckets is the model's limit on ListBuckets' max-buckets, and the
// page size without it.
const s3MaxBuckets = 10000

const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

// listBuckets answers s3 ListBuckets for the caller's account: the demo
// buckets named after each account, max-buckets at a time.
func (s *Server) listBuckets(w http.ResponseWriter, r *http.Request, reqID string) error {
	caller := s.caller(r)
	q := r.URL.Query()
	n := s3MaxBuckets
	if v := q.Get("max-buckets"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 || n > s3MaxBuckets {
			return awsproto.Err(400, "InvalidArgument", "max-buckets must be an integer between 1 and %d.", s3MaxBuckets)
		}
	}
	scope := awsproto.ScopeHash("s3-buckets", caller.Account)
	s.mu.RLock()
	buckets, next, err := awsproto.Paginate(empty(s.st.buckets, caller.Account), scope, q.Get("continuation-token"), n, n, s3MaxBuckets)
	s.mu.RUnlock()
	if err != nil {
		return awsproto.Err(400, "InvalidArgument", "The continuation token provided is incorrect.")
	}
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
		Buckets           []bucket `xml:"Buckets>Bucket"`
		ContinuationToken string   `xml:"ContinuationToken,omitempty"`
	}{Xmlns: s3NS, ContinuationToken: next}
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
