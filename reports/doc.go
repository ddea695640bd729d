// Package reports turns the files that "oauthconf verify" and "oauthconf load" wrote
// into one self-contained HTML page and a Markdown summary for CI job summaries.
//
// It reads only the files described in docs/outputs.md, relative to a run directory:
//
//	conformance/<profile>/cucumber.json   godog cucumber JSON, one per profile
//	conformance/summary.json              per-profile MUST/SHOULD counts, targets
//	cucumber.json                         merged cucumber JSON (used only when no
//	                                      per-profile file exists; uri "<profile>/…")
//	load/<scenario>/results.bin           vegeta results (binary, JSON or CSV encoding)
//	load/<scenario>/report.json           load metrics and the SLO verdict
//	load/<scenario>/latency.hgrm          HDR percentile distribution (used when
//	                                      results.bin is missing or unreadable)
//
// Typical use, after a run:
//
//	if err := reports.WriteAll(dir, filepath.Join(dir, "report.html")); err != nil { … }
//
// or, step by step:
//
//	run, problems := reports.Build(ctx, dir) // problems: one *FileError per unreadable file
//	err := run.WriteHTML(w)                  // the self-contained page
//	err = run.WriteMarkdown(w)               // summary.md
//	err = run.WriteJSON(w)                   // run.Summary(): the headline numbers as JSON
//	v := run.Verdict()                       // "pass", "fail", "error", "incomplete" or "none"
//
// WriteAll(dir, "") writes dir/report.html and dir/summary.md; WriteAllContext is the
// same with a context. Both write the files even when some inputs were unreadable,
// and return those problems joined.
//
// The MUST/SHOULD counts and the headline "N of M MUST checks pass for profile X"
// come from conformance/summary.json when it is there (it has the profile's effective
// levels, after overrides the cucumber JSON does not record), else from the scenarios'
// @must/@should tags; the matrix counts come from the cucumber JSON. Load step names
// come from Result.Attack "<scenario>/<step>". latency.hgrm values are read as
// milliseconds (HdrHistogram's usual output, which load writes) unless report.json's
// max latency shows they are microseconds.
//
// Tests: go test ./reports (the browser test needs /usr/bin/chromium, see
// scripts/ensure-chromium.sh, or OAUTHCONF_SKIP_BROWSER=1; its screenshots go to
// $OAUTHCONF_ARTIFACTS or reports/out/test-artifacts); go test ./reports -update
// rewrites the golden files and generated fixtures in testdata/.
//
// Error contract: Build never stops at the first bad file. Each unreadable, truncated
// or malformed file yields one error naming the file (and the same text is shown in the
// page as a "could not read FILE: reason" notice), and everything that could be read
// is still reported, including the results before the point where a vegeta file is
// truncated. Build returns a nil *Run only when the directory itself cannot be read;
// [ErrNothingRead] (wrapped) is among the problems when no input file at all could be
// read, which is the one case "oauthconf report" treats as a failure.
//
// Scenario statuses follow godog's strict mode: a scenario failed if any step failed,
// or is undefined, pending or ambiguous; it was skipped if a step was skipped and none
// failed (its skip reason is the skipped step's error_message); otherwise it passed.
//
// Secrets: the writers redact transcripts, but every free text taken from the input
// (step errors, HTTP exchanges, skip reasons) goes through [Redact] again before it is
// rendered, so Authorization/Cookie header values, bearer tokens and token, secret,
// password and code parameters never appear in a report.
//
// Everything here is safe for concurrent use: a *Run is immutable after Build.
package reports
