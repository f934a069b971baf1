package fhirpath

import (
	"context"
	"slices"
	"time"

	"github.com/joinedup/joinedup/fhir"
)

// Expression is a compiled FHIRPath expression. It is immutable and safe for concurrent
// use: compile once, evaluate many times.
type Expression struct {
	src  string
	root node
	cfg  config
	// types are the FHIR types of the result's items as the compiler inferred them.
	types []string
}

type config struct {
	strict      bool
	lenient     bool
	contextType string
}

// Option configures Compile.
type Option func(*config)

// Strict checks paths, types and function use against the FHIR model at compile time
// (the test suite's mode="strict"): a name the type does not have, a choice element by
// its typed JSON name (valueQuantity), a non-Boolean iif criterion or an order-dependent
// function on an unordered collection are semantic errors. The type of the input is
// taken from ContextType or from the expression's first step when that is a type name.
func Strict() Option { return func(c *config) { c.strict = true } }

// Lenient is the mode R4 SearchParameter expressions are written for: `as` (and as())
// over several items filters them (`Observation.component.value as Quantity`) instead
// of failing as FHIRPath requires, and resolve() of a reference that nothing resolves
// gives an empty resource of the type its URL names ("Patient/123"), so that
// `subject.where(resolve() is Patient)` can index references by type.
func Lenient() Option { return func(c *config) { c.lenient = true } }

// ContextType names the FHIR type of the inputs the expression will be evaluated on
// ("Patient"), for Strict checking.
func ContextType(name string) Option { return func(c *config) { c.contextType = name } }

// Env is the environment of one evaluation: the FHIR environment variables, user
// variables and the hooks through which other packages provide resolution,
// terminology and validation. A nil *Env is an empty environment.
type Env struct {
	// Resource is %resource; when nil it is the input if the input is a resource.
	Resource fhir.Element
	// RootResource is %rootResource; when nil it is %resource.
	RootResource fhir.Element
	// Context is %context; when nil it is the input.
	Context fhir.Element
	// Variables are user variables, %name.
	Variables map[string]Collection
	// Resolve resolves a reference that is not found in the enclosing Bundle or among
	// contained resources (resolve()).
	Resolve func(ctx context.Context, reference string) (fhir.Resource, error)
	// MemberOf answers memberOf(valueSet) for a code, Coding or CodeableConcept.
	MemberOf func(ctx context.Context, code Value, valueSet string) (bool, error)
	// Subsumes answers subsumes() and subsumedBy(): whether code a subsumes code b
	// (each a code, Coding or CodeableConcept).
	Subsumes func(ctx context.Context, a, b Value) (bool, error)
	// ConformsTo answers conformsTo(profile). Without it only the base resource
	// profiles of the specification are known.
	ConformsTo func(ctx context.Context, e fhir.Element, profile string) (bool, error)
	// Now is the clock of now(), today() and timeOfDay(); time.Now when nil. It is read
	// once per evaluation.
	Now func() time.Time
	// Trace receives trace() output; discarded when nil.
	Trace func(name string, values Collection)
}

// Compile parses and checks a FHIRPath expression. Errors are *Error values with the
// position of the problem.
func Compile(expr string, opts ...Option) (*Expression, error) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	tree, err := parse(expr)
	if err != nil {
		return nil, err
	}
	c := &compiler{src: expr, cfg: cfg}
	root, err := c.compile(tree)
	if err != nil {
		return nil, err
	}
	check := c.checkChoiceNames
	if cfg.strict {
		check = c.check
	}
	st, err := check(tree)
	if err != nil {
		return nil, err
	}
	return &Expression{src: expr, root: root, cfg: cfg, types: st.types}, nil
}

// MustCompile is Compile for expressions known to be valid; it panics on error.
func MustCompile(expr string, opts ...Option) *Expression {
	e, err := Compile(expr, opts...)
	if err != nil {
		panic(err)
	}
	return e
}

// String returns the source of the expression.
func (e *Expression) String() string { return e.src }

// Types returns the FHIR types the items of the result can have, as the compiler
// inferred them from the meta-model: type names ("CodeableConcept", "code") or
// backbone element paths ("Patient.contact"), in the order of the expression's
// branches, possibly repeated. It is nil when the model does not tell: the result of
// an operator or of most functions, a System value, an expression whose input type is
// unknown, or a union with such a branch. Search uses it to offer only the modifiers
// that apply to what a parameter selects.
func (e *Expression) Types() []string { return slices.Clone(e.types) }

// Evaluate evaluates the expression on input (which may be nil: the expression then
// starts from an empty collection) in env (which may be nil).
func (e *Expression) Evaluate(env *Env, input fhir.Element) (Collection, error) {
	return e.EvaluateContext(context.Background(), env, input)
}

// EvaluateContext is Evaluate with a context for the hooks (resolve, memberOf,
// conformsTo) and for cancellation of long evaluations.
func (e *Expression) EvaluateContext(ctx context.Context, env *Env, input fhir.Element) (Collection, error) {
	c := newEvalCtx(ctx, e, env, input)
	defer c.release()
	out, err := e.root.eval(c)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	return Collection(append([]Value(nil), out...)), nil
}

// EvaluateBool evaluates the expression as a condition, as invariants and search
// filters use it: true when the result is a single true Boolean (or a single value of
// another type, FHIRPath section 4.5 "Singleton evaluation of collections"), false
// when it is false or empty. More than one item is an error.
func (e *Expression) EvaluateBool(env *Env, input fhir.Element) (bool, error) {
	c := newEvalCtx(context.Background(), e, env, input)
	defer c.release()
	out, err := e.root.eval(c)
	if err != nil {
		return false, err
	}
	b, ok, err := c.boolOf(out, 0)
	if err != nil {
		return false, err
	}
	return ok && b, nil
}
