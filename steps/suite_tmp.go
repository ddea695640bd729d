package steps

import (
	"github.com/cucumber/godog"
)

// vocabulary is the suite's step table, built once and never modified (the
// step functions are stateless; scenario state travels in the context).
var vocabulary = func() []stepDef {
	var c collector
	registerCapabilities(&c)
	registerToken(&c)
	registerClientAuth(&c)
	registerAuthorize(&c)
	registerPKCE(&c)
	registerRefresh(&c)
	registerBearer(&c)
	registerIntrospection(&c)
	registerRevocation(&c)
	registerUserTokens(&c)
	return c
}()

// addSteps registers the vocabulary with a scenario.
func addSteps(sc *godog.ScenarioContext) {
	for _, d := range vocabulary {
		sc.Step(d.re, d.fn)
	}
}
