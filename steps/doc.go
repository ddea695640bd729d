// Package steps runs the Gherkin conformance suite (package features) against a
// target described by a profile (package profile), over HTTP only.
//
// Steps implement the OAuth wire format on their own (RFC 6749, 6750, 7636,
// 7009, 7662 and the vendors' documented dialects); they never share code with
// the reference server, so that a misreading on one side is caught by the
// other. Scenario state lives in the scenario's context.Context (no package
// state), so scenarios run safely under godog's concurrency.
//
// Run (one profile) and RunAll (several, against one server) return a Result;
// WriteText writes the console report and WriteReports the files of
// docs/outputs.md.
//
// # Data path
//
// RunAll builds one target per Options (profile, credentials, HTTP client)
// and checks that it answers (suite.go). Each godog pass calls
// InitializeScenario, whose Before hook creates the scenario state (state.go)
// with its level and any skip decided from the tags (levels.go). Each step
// is a named function in a vocab_*.go file, adapted by wrap (adapt.go): it
// reads the state with fromCtx, sends requests through the flows (flows.go,
// request.go) and judges the answers (response.go, errors.go, jwt.go). The
// step's outcome becomes the scenario's status (result.go):
//
//   - nil: the step passed;
//   - a skipError (errSkip, or a capability the profile lacks,
//     capabilities.go): skipped, with the reason;
//   - a harnessError (harnessf): a bug of the suite, StatusError;
//   - a violation (failf), a controlError (control) or any other error: the
//     target failed the rule, StatusFailed, with the redacted transcript
//     (transcript.go, redact.go) as evidence.
//
// # Where to find
//
//	token endpoint responses        vocab_token.go          token_response.feature, the grants' features
//	negative token requests         vocab_client_auth.go    errors.feature
//	client authentication per grant vocab_client_authentication.go client_authentication.feature
//	authorization endpoint, codes   vocab_authorize.go      authorization_code, redirect_uri
//	PKCE                            vocab_pkce.go           pkce.feature
//	refresh                         vocab_refresh.go        refresh_token.feature
//	protected resources             vocab_bearer.go         bearer.feature, implicit.feature
//	revocation                      vocab_revocation.go     revocation.feature
//	introspection                   vocab_introspection.go  introspection.feature
//	Elastic Path user tokens        vocab_user_tokens.go    elasticpath_user_tokens.feature
//	"the profile has / supports …"  capabilities.go         (listed in docs/profiles.md)
//	the test clock                  testclock.go
//
// # How to add a step
//
//  1. Write the sentence in the feature file first.
//  2. In the vocab_*.go file of that feature, add a named function in godog's
//     style, its name the sentence in camel case:
//     func theCodeLifetimePasses(ctx context.Context) error, taking the
//     scenario with s := fromCtx(ctx). A quoted argument arrives as a string,
//     a (\d+) as an int.
//  3. Register it in the file's registerX with an anchored pattern:
//     sc.Step(`^the code lifetime passes$`, wrap(theCodeLifetimePasses)),
//     wrap1 or wrap2 for one or two arguments.
//  4. Return failf("… (RFC section)") when the target breaks the rule,
//     errSkip(reason) when the scenario does not apply, control(err) from a
//     control step, harnessf for a state the suite itself got wrong. A step
//     that only needs the profile to document something is a row of the
//     capabilities table instead.
//  5. Prove the check able to fail: a reference defect that breaks the rule
//     (reference/defects.go), then go test ./steps -run TestDefects -update.
package steps
