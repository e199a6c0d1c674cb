package main

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdSetMatch sets NAME to the first group of REGEX's first match in FILE
// (stdout and stderr name the last command's): setmatch NAME FILE REGEX.
func cmdSetMatch(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: setmatch NAME FILE REGEX")
	}
	re, err := regexp.Compile("(?m)" + args[2])
	ts.Check(err)
	m := re.FindStringSubmatch(ts.ReadFile(args[1]))
	if len(m) < 2 {
		ts.Fatalf("setmatch: %s has no match of %s", args[1], args[2])
	}
	ts.Setenv(args[0], m[1])
}

// cmdNoWrites fails when the sandbox served a write call between two
// sandbox-stats files (an operation named Create…, Delete…, Put…,
// Attach…, Detach…, Update…, Provision…, Tag… or Untag… counted more in
// AFTER than in BEFORE): nowrites BEFORE AFTER.
func cmdNoWrites(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: nowrites BEFORE AFTER")
	}
	read := func(file string) map[string]int {
		out := map[string]int{}
		for _, line := range strings.Split(ts.ReadFile(file), "\n") {
			f := strings.Fields(line)
			if len(f) != 3 || f[0] != "calls" {
				continue
			}
			_, op, _ := strings.Cut(f[1], ":")
			for _, p := range []string{"Create", "Delete", "Put", "Attach", "Detach", "Update", "Provision", "Tag", "Untag"} {
				if strings.HasPrefix(op, p) {
					n, _ := strconv.Atoi(f[2])
					out[f[1]] = n
				}
			}
		}
		return out
	}
	before, after := read(args[0]), read(args[1])
	var writes []string
	for op, n := range after {
		if n > before[op] {
			writes = append(writes, fmt.Sprintf("%s %d", op, n-before[op]))
		}
	}
	sort.Strings(writes)
	if len(writes) > 0 {
		ts.Fatalf("write calls between %s and %s: %s", args[0], args[1], strings.Join(writes, ", "))
	}
}
