package exporter

import "text/template"

// StatusTemplateForTest is the parsed status page, for the test that
// holds every printing action to an escaping function.
func StatusTemplateForTest() *template.Template { return statusTemplate }
