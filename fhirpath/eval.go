package fhirpath

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/joinedup/joinedup/fhir"
)

// evalCtx is the state of one evaluation. It is pooled: the scratch buffers survive
// from one evaluation to the next, so that hot paths do not allocate them again.
type evalCtx struct {
	ctx   context.Context
	env   *Env
	expr  *Expression
	input Value
	// this is $this as a one-item collection (the input at the top level); index and
	// total are $index and $total inside functions that iterate.
	this     []Value
	thisBuf  [1]Value
	index    int
	total    []Value
	now      time.Time
	hasNow   bool
	children []fhir.Element
	steps    int
	// arena holds the result collections of this evaluation: one slab instead of a
	// small allocation per step. Results never grow in place (their capacity equals
	// their length), and Evaluate copies the final result out, so the slab is reused
	// by the next evaluation.
	arena []Value
	used  int
	// stack is scratch space with a LIFO discipline: a step appends from a start
	// mark, may run nested steps (which restore the length), then collects its
	// items into the arena and truncates the stack back to the mark.
	stack []Value
	// pushChild and descend are EachChild callbacks made once per pooled context.
	pushChild func(string, fhir.Element) bool
	descend   func(string, fhir.Element) bool
	depth     int
}

var ctxPool = sync.Pool{New: func() any {
	c := new(evalCtx)
	c.pushChild = func(_ string, ch fhir.Element) bool {
		c.stack = append(c.stack, ch)
		return true
	}
	c.descend = func(_ string, ch fhir.Element) bool {
		c.stack = append(c.stack, ch)
		if c.depth < maxElementDepth {
			c.depth++
			ch.EachChild(c.descend)
			c.depth--
		}
		return true
	}
	return c
}}

// maxElementDepth bounds descendants() on pathological trees.
const maxElementDepth = 256

// maxArena is the largest slab kept in the pool between evaluations.
const maxArena = 1 << 18

// alloc returns a zeroed collection of n items from the arena.
func (c *evalCtx) alloc(n int) []Value {
	if c.used+n > len(c.arena) {
		// Earlier results keep the old slab alive; this evaluation continues in a new one.
		c.arena = make([]Value, max(2*len(c.arena), 1024, n))
		c.used = 0
	}
	r := c.arena[c.used : c.used+n : c.used+n]
	c.used += n
	return r
}

// one returns a one-item collection.
func (c *evalCtx) one(v Value) []Value {
	r := c.alloc(1)
	r[0] = v
	return r
}

// collect moves the stack items above start into a collection.
func (c *evalCtx) collect(start int) []Value {
	n := len(c.stack) - start
	if n == 0 {
		return nil
	}
	r := c.alloc(n)
	copy(r, c.stack[start:])
	clear(c.stack[start:])
	c.stack = c.stack[:start]
	return r
}

func newEvalCtx(ctx context.Context, e *Expression, env *Env, input fhir.Element) *evalCtx {
	c := ctxPool.Get().(*evalCtx)
	c.ctx, c.env, c.expr = ctx, env, e
	if c.env == nil {
		c.env = &emptyEnv
	}
	if input != nil {
		c.input = input
		c.thisBuf[0] = input
		c.this = c.thisBuf[:1:1]
	} else {
		c.input, c.this = nil, nil
	}
	c.index, c.total, c.hasNow, c.steps, c.depth = 0, nil, false, 0, 0
	return c
}

var emptyEnv Env

func (c *evalCtx) release() {
	c.ctx, c.env, c.expr, c.input, c.this, c.total = nil, nil, nil, nil, nil, nil
	c.thisBuf[0] = nil
	clear(c.children)
	c.children = c.children[:0]
	clear(c.arena[:c.used])
	c.used = 0
	if len(c.arena) > maxArena {
		c.arena = nil
	}
	clear(c.stack)
	c.stack = c.stack[:0]
	if cap(c.stack) > maxArena {
		c.stack = nil
	}
	ctxPool.Put(c)
}

func (c *evalCtx) errorf(pos int, format string, args ...any) error {
	return newError(ExecutionError, c.expr.src, pos, format, args...)
}

// clock returns the evaluation's fixed "now".
func (c *evalCtx) clock() time.Time {
	if !c.hasNow {
		if c.env.Now != nil {
			c.now = c.env.Now()
		} else {
			c.now = time.Now()
		}
		c.hasNow = true
	}
	return c.now
}

// tick counts work so that long evaluations notice cancellation.
func (c *evalCtx) tick() error {
	c.steps++
	if c.steps&1023 == 0 && c.ctx != nil {
		if err := c.ctx.Err(); err != nil {
			return fmt.Errorf("fhirpath: evaluation stopped: %w", err)
		}
	}
	return nil
}

// withThis evaluates n with $this (and the implicit focus) set to v.
func (c *evalCtx) withThis(n node, v Value, index int) ([]Value, error) {
	saved, savedIndex := c.this, c.index
	c.this, c.index = c.one(v), index
	out, err := n.eval(c)
	c.this, c.index = saved, savedIndex
	return out, err
}

// singleton returns the one item of a collection, nil for none, or an error.
func (c *evalCtx) singleton(in []Value, pos int) (Value, error) {
	switch len(in) {
	case 0:
		return nil, nil
	case 1:
		return in[0], nil
	}
	return nil, c.errorf(pos, "expected a single item, found %d", len(in))
}

// boolOf applies singleton evaluation of collections (FHIRPath section 4.5): ok is false
// for an empty collection; a single non-Boolean item counts as true.
func (c *evalCtx) boolOf(in []Value, pos int) (b, ok bool, err error) {
	switch len(in) {
	case 0:
		return false, false, nil
	case 1:
		if v, isBool := asBoolean(in[0]); isBool {
			return v, true, nil
		}
		return true, true, nil
	}
	return false, false, c.errorf(pos, "expected a single Boolean, found %d items", len(in))
}

// asBoolean reads a System Boolean or a FHIR boolean.
func asBoolean(v Value) (bool, bool) {
	switch b := v.(type) {
	case Boolean:
		return bool(b), true
	case fhir.Primitive:
		if b.FHIRType() == "boolean" {
			lit, ok := b.Literal()
			return lit == "true", ok
		}
	}
	return false, false
}

// node is a compiled expression.
type node interface {
	eval(c *evalCtx) ([]Value, error)
}

// Prebuilt one-item collections for Boolean results; callers never append to results
// in place (capacity equals length), so sharing them is safe.
var (
	trueColl  = []Value{Boolean(true)}
	falseColl = []Value{Boolean(false)}
)

func boolColl(b bool) []Value {
	if b {
		return trueColl[:1:1]
	}
	return falseColl[:1:1]
}

type constNode struct{ v []Value }

func (n *constNode) eval(*evalCtx) ([]Value, error) { return n.v, nil }

type thisNode struct{}

func (thisNode) eval(c *evalCtx) ([]Value, error) { return c.this, nil }

type indexVarNode struct{}

func (indexVarNode) eval(c *evalCtx) ([]Value, error) {
	return c.one(Integer(c.index)), nil
}

type totalNode struct{}

func (totalNode) eval(c *evalCtx) ([]Value, error) { return c.total, nil }

// envNode reads an environment variable at evaluation time.
type envNode struct {
	name string
	pos  int
}

func (n *envNode) eval(c *evalCtx) ([]Value, error) {
	switch n.name {
	case "context":
		if c.env.Context != nil {
			return c.one(c.env.Context), nil
		}
		if c.input != nil {
			return c.one(c.input), nil
		}
		return nil, nil
	case "resource":
		if r := c.resource(); r != nil {
			return c.one(r), nil
		}
		return nil, nil
	case "rootResource":
		if c.env.RootResource != nil {
			return c.one(c.env.RootResource), nil
		}
		if r := c.resource(); r != nil {
			return c.one(r), nil
		}
		return nil, nil
	}
	if v, ok := c.env.Variables[n.name]; ok {
		return v, nil
	}
	return nil, c.errorf(n.pos, "undefined variable %%%s", n.name)
}

func (c *evalCtx) resource() Value {
	if c.env.Resource != nil {
		return c.env.Resource
	}
	if _, ok := c.input.(fhir.Resource); ok {
		return c.input
	}
	return nil
}

// memberNode navigates to the children called name of each item of left. At the start
// of a path (root) a type name selects the items of that type instead (Patient.name).
type memberNode struct {
	left node
	name string
	root bool
}

func (n *memberNode) eval(c *evalCtx) ([]Value, error) {
	in, err := n.left.eval(c)
	if err != nil {
		return nil, err
	}
	start := len(c.stack)
	for _, v := range in {
		switch e := v.(type) {
		case fhir.Element:
			if n.root && isUpper(n.name) && isA(e.FHIRType(), n.name) {
				c.stack = append(c.stack, e)
				continue
			}
			c.children = e.Children(n.name, c.children[:0])
			for _, ch := range c.children {
				c.stack = append(c.stack, ch)
			}
		case TypeInfo:
			switch n.name {
			case "namespace":
				c.stack = append(c.stack, String(e.Namespace))
			case "name":
				c.stack = append(c.stack, String(e.Name))
			}
		case Quantity:
			switch n.name {
			case "value":
				c.stack = append(c.stack, Decimal{e.Value})
			case "unit", "code":
				c.stack = append(c.stack, String(e.Unit))
			}
		}
	}
	return c.collect(start), nil
}

type indexNode struct {
	left, index node
	pos         int
}

func (n *indexNode) eval(c *evalCtx) ([]Value, error) {
	in, err := n.left.eval(c)
	if err != nil {
		return nil, err
	}
	idx, err := n.index.eval(c)
	if err != nil {
		return nil, err
	}
	v, err := c.singleton(idx, n.pos)
	if err != nil || v == nil {
		return nil, err
	}
	i, ok := integerOf(v)
	if !ok {
		return nil, c.errorf(n.pos, "an index must be an integer")
	}
	if i < 0 || int(i) >= len(in) {
		return nil, nil
	}
	return in[i : i+1 : i+1], nil
}

func integerOf(v Value) (int64, bool) {
	switch n := v.(type) {
	case Integer:
		return int64(n), true
	case fhir.Primitive:
		if sv, ok := primitiveValue(n); ok {
			if i, ok := sv.(Integer); ok {
				return int64(i), true
			}
		}
	}
	return 0, false
}

// funcNode calls a function of the library, resolved at compile time.
type funcNode struct {
	left node
	fn   *function
	args []node
	pos  int
	// typ is the type argument of is(), as() and ofType().
	typ *typeSpec
	// desc marks sort() keys written with a leading minus (descending).
	desc []bool
}

func (n *funcNode) eval(c *evalCtx) ([]Value, error) {
	in, err := n.left.eval(c)
	if err != nil {
		return nil, err
	}
	if err := c.tick(); err != nil {
		return nil, err
	}
	return n.fn.impl(c, n, in)
}

// arg evaluates argument i with the focus of the expression that contains the call.
func (n *funcNode) arg(c *evalCtx, i int) ([]Value, error) {
	if i >= len(n.args) {
		return nil, nil
	}
	return n.args[i].eval(c)
}

// argSingle evaluates argument i to at most one item.
func (n *funcNode) argSingle(c *evalCtx, i int) (Value, error) {
	v, err := n.arg(c, i)
	if err != nil {
		return nil, err
	}
	return c.singleton(v, n.pos)
}
