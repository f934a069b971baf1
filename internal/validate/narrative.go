package validate

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/internal/profile"
)

// The XHTML a narrative may hold (R4 section 2.15.1 "XHTML"): the basic HTML formatting
// elements and attributes, no scripts, forms, frames or event handlers, no active content.
var (
	allowedElements = set("a abbr acronym b big blockquote br caption cite code col colgroup dd dfn div dl dt em " +
		"h1 h2 h3 h4 h5 h6 hr i img li ol p pre q samp small span strong sub sup table tbody td tfoot th thead tr tt ul var")
	allowedAttributes = set("abbr accesskey align alt axis bgcolor border cellhalign cellpadding cellspacing cellvalign " +
		"char charoff charset cite class colspan compact coords dir frame headers height href hreflang hspace id lang " +
		"longdesc name nowrap rel rev rowspan rules scope shape span src start style summary tabindex title type valign value vspace width")
)

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

const xhtmlNS = "http://www.w3.org/1999/xhtml"

// narrative checks Narrative.div.
func (r *run) narrative(e fhir.Element, path string) {
	n, ok := e.(*fhir.Narrative)
	if !ok || n.Div == nil || n.Div.Value == nil {
		return
	}
	for _, msg := range checkXHTML(*n.Div.Value) {
		r.add(Error, "invalid", path+".div", "%s", msg)
	}
}

// narrativeLanguages applies a profile's narrative-language-control: which language
// sections (elements with lang or xml:lang) the narrative must or must not have.
func (r *run) narrativeLanguages(d *profile.Element, e fhir.Element, path string) {
	n, ok := e.(*fhir.Narrative)
	if len(d.NarrativeLanguages) == 0 || !ok || n.Div == nil || n.Div.Value == nil {
		return
	}
	found := languageSections(*n.Div.Value)
	for _, want := range d.NarrativeLanguages {
		switch want {
		case "_no":
			if len(found) > 0 {
				r.add(Error, "business-rule", path, "The narrative has language sections, but the profile allows none")
			}
		case "_yes":
			if len(found) == 0 {
				r.add(Error, "business-rule", path, "The narrative has no language sections, but the profile requires them")
			}
		case "_resource":
			lang := ""
			if r.res != nil {
				for _, l := range r.res.Children("language", nil) {
					if p, ok := l.(fhir.Primitive); ok {
						lang, _ = p.Literal()
					}
				}
			}
			if lang != "" && !found[lang] {
				r.add(Error, "business-rule", path, "The profile requires a narrative section in the resource's language (%s), but there is none", lang)
			}
		default:
			if !found[want] {
				r.add(Error, "business-rule", path, "The profile requires a narrative section in %s, but there is none", want)
			}
		}
	}
}

// languageSections returns the languages of the elements inside a div that carry lang or
// xml:lang.
func languageSections(div string) map[string]bool {
	out := map[string]bool{}
	d := xml.NewDecoder(strings.NewReader(div))
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return out
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth > 0 {
				for _, a := range t.Attr {
					if a.Name.Local == "lang" {
						out[a.Value] = true
					}
				}
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
}

// checkXHTML returns what is wrong with a narrative div.
func checkXHTML(div string) []string {
	var problems []string
	d := xml.NewDecoder(strings.NewReader(div))
	d.Strict = true
	depth, text := 0, false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return append(problems, "The narrative is not well-formed XHTML: "+err.Error())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if t.Name.Local != "div" || t.Name.Space != xhtmlNS {
					problems = append(problems, "The narrative must be a single div element in the XHTML namespace")
				}
			}
			depth++
			if t.Name.Space != xhtmlNS {
				problems = append(problems, "The element "+t.Name.Local+" is not in the XHTML namespace")
			} else if !allowedElements[t.Name.Local] {
				problems = append(problems, "Illegal element name in the XHTML ('"+t.Name.Local+"')")
			} else if t.Name.Local == "img" || t.Name.Local == "a" {
				text = true
			}
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns" || a.Name.Local == "xmlns" && a.Name.Space == "":
				case a.Name.Space == "http://www.w3.org/XML/1998/namespace" && (a.Name.Local == "lang" || a.Name.Local == "space"):
				case a.Name.Space != "" || !allowedAttributes[a.Name.Local]:
					problems = append(problems, "Illegal attribute name in the XHTML ('"+a.Name.Local+"' on '"+t.Name.Local+"')")
				case a.Name.Local == "href" || a.Name.Local == "src":
					v := strings.ToLower(strings.TrimSpace(a.Value))
					if strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") {
						problems = append(problems, "Active content is not allowed in the XHTML ('"+a.Name.Local+"' on '"+t.Name.Local+"')")
					}
				}
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				text = true
			}
		case xml.ProcInst, xml.Directive:
			problems = append(problems, "Processing instructions and directives are not allowed in the XHTML")
		}
	}
	if !text {
		problems = append(problems, "The narrative SHALL have some non-whitespace content")
	}
	return problems
}
