package fhirpath

import (
	"github.com/joinedup/joinedup/fhir"
)

// function is one function of the library (FHIRPath section 5, FHIR R4 section
// 2.1.9.0.4 "Additional functions"). impl receives the call node so that it can
// evaluate its arguments lazily, once per item for the functions that iterate.
type function struct {
	minArgs, maxArgs int
	typeArg          bool // the argument is a type specifier: is(), as(), ofType()
	// orderDependent functions are refused on unordered collections in strict mode.
	orderDependent bool
	// iterates says that the arguments are evaluated once per input item, with $this.
	iterates bool
	impl     func(c *evalCtx, n *funcNode, in []Value) ([]Value, error)
}

var functions map[string]*function

func init() {
	functions = map[string]*function{
		// Existence (5.1).
		"empty":      {impl: fnEmpty},
		"exists":     {maxArgs: 1, iterates: true, impl: fnExists},
		"all":        {minArgs: 1, maxArgs: 1, iterates: true, impl: fnAll},
		"allTrue":    {impl: boolAggregate(true, true)},
		"anyTrue":    {impl: boolAggregate(false, true)},
		"allFalse":   {impl: boolAggregate(true, false)},
		"anyFalse":   {impl: boolAggregate(false, false)},
		"subsetOf":   {minArgs: 1, maxArgs: 1, impl: fnSubsetOf},
		"supersetOf": {minArgs: 1, maxArgs: 1, impl: fnSupersetOf},
		"count":      {impl: fnCount},
		"distinct":   {impl: fnDistinct},
		"isDistinct": {impl: fnIsDistinct},
		// Filtering and projection (5.2).
		"where":  {minArgs: 1, maxArgs: 1, iterates: true, impl: fnWhere},
		"select": {minArgs: 1, maxArgs: 1, iterates: true, impl: fnSelect},
		"repeat": {minArgs: 1, maxArgs: 1, iterates: true, impl: fnRepeat},
		"ofType": {minArgs: 1, maxArgs: 1, typeArg: true, impl: fnOfType},
		// Subsetting (5.3).
		"single":    {impl: fnSingle},
		"first":     {orderDependent: true, impl: fnFirst},
		"last":      {orderDependent: true, impl: fnLast},
		"tail":      {orderDependent: true, impl: fnTail},
		"skip":      {minArgs: 1, maxArgs: 1, orderDependent: true, impl: fnSkip},
		"take":      {minArgs: 1, maxArgs: 1, orderDependent: true, impl: fnTake},
		"intersect": {minArgs: 1, maxArgs: 1, impl: fnIntersect},
		"exclude":   {minArgs: 1, maxArgs: 1, impl: fnExclude},
		// Combining (5.4).
		"union":   {minArgs: 1, maxArgs: 1, impl: fnUnion},
		"combine": {minArgs: 1, maxArgs: 1, impl: fnCombine},
		// Conversion (5.5).
		"iif":                {minArgs: 2, maxArgs: 3, impl: fnIif},
		"toBoolean":          {impl: convert(toBoolean, false)},
		"convertsToBoolean":  {impl: convert(toBoolean, true)},
		"toInteger":          {impl: convert(toInteger, false)},
		"convertsToInteger":  {impl: convert(toInteger, true)},
		"toDecimal":          {impl: convert(toDecimalValue, false)},
		"convertsToDecimal":  {impl: convert(toDecimalValue, true)},
		"toString":           {impl: convert(toStringValue, false)},
		"convertsToString":   {impl: convert(toStringValue, true)},
		"toDate":             {impl: convert(toDate, false)},
		"convertsToDate":     {impl: convert(toDate, true)},
		"toDateTime":         {impl: convert(toDateTime, false)},
		"convertsToDateTime": {impl: convert(toDateTime, true)},
		"toTime":             {impl: convert(toTime, false)},
		"convertsToTime":     {impl: convert(toTime, true)},
		"toQuantity":         {maxArgs: 1, impl: fnToQuantity(false)},
		"convertsToQuantity": {maxArgs: 1, impl: fnToQuantity(true)},
		// String manipulation (5.6) and the 2.1 additions the R4 suite uses.
		"indexOf":        {minArgs: 1, maxArgs: 1, impl: fnIndexOf},
		"substring":      {minArgs: 1, maxArgs: 2, impl: fnSubstring},
		"startsWith":     {minArgs: 1, maxArgs: 1, impl: stringPredicate(hasPrefix)},
		"endsWith":       {minArgs: 1, maxArgs: 1, impl: stringPredicate(hasSuffix)},
		"contains":       {minArgs: 1, maxArgs: 1, impl: stringPredicate(containsString)},
		"upper":          {impl: stringMap(upper)},
		"lower":          {impl: stringMap(lower)},
		"replace":        {minArgs: 2, maxArgs: 2, impl: fnReplace},
		"matches":        {minArgs: 1, maxArgs: 1, impl: fnMatches(false)},
		"matchesFull":    {minArgs: 1, maxArgs: 1, impl: fnMatches(true)},
		"replaceMatches": {minArgs: 2, maxArgs: 2, impl: fnReplaceMatches},
		"length":         {impl: fnLength},
		"toChars":        {impl: fnToChars},
		"trim":           {impl: stringMap(trim)},
		"split":          {minArgs: 1, maxArgs: 1, impl: fnSplit},
		"join":           {maxArgs: 1, impl: fnJoin},
		"encode":         {minArgs: 1, maxArgs: 1, impl: fnEncode},
		"decode":         {minArgs: 1, maxArgs: 1, impl: fnDecode},
		"escape":         {minArgs: 1, maxArgs: 1, impl: fnEscape},
		"unescape":       {minArgs: 1, maxArgs: 1, impl: fnUnescape},
		// Math (5.7).
		"abs":      {impl: fnAbs},
		"ceiling":  {impl: roundingFn(roundCeiling)},
		"floor":    {impl: roundingFn(roundFloor)},
		"truncate": {impl: roundingFn(roundTruncate)},
		"round":    {maxArgs: 1, impl: fnRound},
		"exp":      {impl: mathFn(mathExp)},
		"ln":       {impl: mathFn(mathLn)},
		"sqrt":     {impl: mathFn(mathSqrt)},
		"log":      {minArgs: 1, maxArgs: 1, impl: fnLog},
		"power":    {minArgs: 1, maxArgs: 1, impl: fnPower},
		// Tree navigation (5.8).
		"children":    {impl: fnChildren},
		"descendants": {impl: fnDescendants},
		// Utility (5.9) and 2.1 additions.
		"trace":        {minArgs: 1, maxArgs: 2, impl: fnTrace},
		"now":          {impl: fnNow},
		"today":        {impl: fnToday},
		"timeOfDay":    {impl: fnTimeOfDay},
		"aggregate":    {minArgs: 1, maxArgs: 2, iterates: true, impl: fnAggregate},
		"sort":         {maxArgs: 8, iterates: true, impl: fnSort},
		"lowBoundary":  {maxArgs: 1, impl: fnBoundary(false)},
		"highBoundary": {maxArgs: 1, impl: fnBoundary(true)},
		"precision":    {impl: fnPrecision},
		"comparable":   {minArgs: 1, maxArgs: 1, impl: fnComparable},
		// Types (section 6.3 as functions, 11 reflection).
		"is":   {minArgs: 1, maxArgs: 1, typeArg: true, impl: fnIs},
		"as":   {minArgs: 1, maxArgs: 1, typeArg: true, impl: fnAs},
		"type": {impl: fnType},
		"not":  {impl: fnNot},
		// FHIR additions (FHIR R4 section 2.1.9.0.4).
		"extension":      {minArgs: 1, maxArgs: 1, impl: fnExtension},
		"hasValue":       {impl: fnHasValue},
		"getValue":       {impl: fnGetValue},
		"resolve":        {impl: fnResolve},
		"htmlChecks":     {impl: fnHTMLChecks},
		"conformsTo":     {minArgs: 1, maxArgs: 1, impl: fnConformsTo},
		"memberOf":       {minArgs: 1, maxArgs: 1, impl: fnMemberOf},
		"subsumes":       {minArgs: 1, maxArgs: 1, impl: fnSubsumes(false)},
		"subsumedBy":     {minArgs: 1, maxArgs: 1, impl: fnSubsumes(true)},
		"checkModifiers": {minArgs: 1, maxArgs: 1, impl: fnCheckModifiers},
	}
}

// eachItem evaluates argument i once per input item with $this and $index set.
func eachItem(c *evalCtx, n *funcNode, in []Value, i int, fn func(idx int, v Value, res []Value) (bool, error)) error {
	for idx, v := range in {
		res, err := c.withThis(n.args[i], v, idx)
		if err != nil {
			return err
		}
		more, err := fn(idx, v, res)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

func fnEmpty(_ *evalCtx, _ *funcNode, in []Value) ([]Value, error) {
	return boolColl(len(in) == 0), nil
}

func fnExists(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	if len(n.args) == 0 {
		return boolColl(len(in) > 0), nil
	}
	found := false
	err := eachItem(c, n, in, 0, func(_ int, _ Value, res []Value) (bool, error) {
		b, ok, err := c.boolOf(res, n.pos)
		if ok && b {
			found = true
			return false, err
		}
		return true, err
	})
	if err != nil {
		return nil, err
	}
	return boolColl(found), nil
}

func fnAll(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	all := true
	err := eachItem(c, n, in, 0, func(_ int, _ Value, res []Value) (bool, error) {
		b, ok, err := c.boolOf(res, n.pos)
		if !ok || !b {
			all = false
			return false, err
		}
		return true, err
	})
	if err != nil {
		return nil, err
	}
	return boolColl(all), nil
}

// boolAggregate makes allTrue (every, want), anyTrue (!every, want) and the False pair.
func boolAggregate(every, want bool) func(*evalCtx, *funcNode, []Value) ([]Value, error) {
	return func(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
		for _, v := range in {
			b, ok := asBoolean(v)
			if !ok {
				return nil, c.errorf(n.pos, "expected Booleans, found %s", typeName(v))
			}
			if every && b != want {
				return boolColl(false), nil
			}
			if !every && b == want {
				return boolColl(true), nil
			}
		}
		return boolColl(every), nil
	}
}

func fnSubsetOf(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	other, err := n.arg(c, 0)
	if err != nil {
		return nil, err
	}
	return boolColl(subset(in, other)), nil
}

func fnSupersetOf(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	other, err := n.arg(c, 0)
	if err != nil {
		return nil, err
	}
	return boolColl(subset(other, in)), nil
}

func subset(a, b []Value) bool {
	for _, v := range a {
		if !containsValue(b, v) {
			return false
		}
	}
	return true
}

func fnCount(c *evalCtx, _ *funcNode, in []Value) ([]Value, error) {
	return c.one(Integer(len(in))), nil
}

func distinct(in []Value) []Value {
	out := make([]Value, 0, len(in))
	for _, v := range in {
		if !containsValue(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func fnDistinct(_ *evalCtx, _ *funcNode, in []Value) ([]Value, error) { return distinct(in), nil }

func fnIsDistinct(_ *evalCtx, _ *funcNode, in []Value) ([]Value, error) {
	return boolColl(len(distinct(in)) == len(in)), nil
}

func fnWhere(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	start := len(c.stack)
	for i, v := range in {
		res, err := c.withThis(n.args[0], v, i)
		if err != nil {
			c.stack = c.stack[:start]
			return nil, err
		}
		b, ok, err := c.boolOf(res, n.pos)
		if err != nil {
			c.stack = c.stack[:start]
			return nil, err
		}
		if ok && b {
			c.stack = append(c.stack, v)
		}
	}
	return c.collect(start), nil
}

func fnSelect(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	if len(in) == 1 {
		return c.withThis(n.args[0], in[0], 0)
	}
	start := len(c.stack)
	for i, v := range in {
		res, err := c.withThis(n.args[0], v, i)
		if err != nil {
			c.stack = c.stack[:start]
			return nil, err
		}
		if len(c.stack)-start+len(res) > maxCollection {
			c.stack = c.stack[:start]
			return nil, c.errorf(n.pos, "select() would make more than %d items", maxCollection)
		}
		c.stack = append(c.stack, res...)
	}
	return c.collect(start), nil
}

// maxCollection bounds the functions that can multiply a collection's size
// (combine() inside aggregate(), select() over select()), so that an expression cannot
// exhaust memory.
const maxCollection = 1 << 20

// maxRepeat bounds repeat(): a projection that keeps making new values
// (1.repeat($this + 1)) would otherwise never end.
const maxRepeat = 10_000

func fnRepeat(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	var out []Value
	// seen holds the items that are comparable Go values (elements by pointer,
	// Booleans, Integers, Strings), so that the common cases avoid a linear search.
	seen := map[Value]bool{}
	queue := append([]Value(nil), in...)
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		res, err := c.withThis(n.args[0], v, 0)
		if err != nil {
			return nil, err
		}
		for _, r := range res {
			if err := c.tick(); err != nil {
				return nil, err
			}
			switch r.(type) {
			case fhir.Element, Boolean, Integer, String:
				if seen[r] {
					continue
				}
				seen[r] = true
			default:
				if containsValue(out, r) {
					continue
				}
			}
			{
				if len(out) >= maxRepeat {
					return nil, c.errorf(n.pos, "repeat() produced more than %d items", maxRepeat)
				}
				out = append(out, r)
				queue = append(queue, r)
			}
		}
	}
	return out, nil
}

func fnOfType(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	start := len(c.stack)
	for _, v := range in {
		if n.typ.matches(v, true) {
			c.stack = append(c.stack, v)
		}
	}
	return c.collect(start), nil
}

func fnSingle(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	if len(in) > 1 {
		return nil, c.errorf(n.pos, "single() found %d items", len(in))
	}
	return in, nil
}

func fnFirst(_ *evalCtx, _ *funcNode, in []Value) ([]Value, error) {
	if len(in) == 0 {
		return nil, nil
	}
	return in[:1:1], nil
}

func fnLast(_ *evalCtx, _ *funcNode, in []Value) ([]Value, error) {
	if len(in) == 0 {
		return nil, nil
	}
	return in[len(in)-1:], nil
}

func fnTail(_ *evalCtx, _ *funcNode, in []Value) ([]Value, error) {
	if len(in) <= 1 {
		return nil, nil
	}
	return in[1:], nil
}

func intArg(c *evalCtx, n *funcNode, i int) (int64, bool, error) {
	v, err := n.argSingle(c, i)
	if err != nil || v == nil {
		return 0, false, err
	}
	k, ok := integerOf(v)
	if !ok {
		return 0, false, c.errorf(n.pos, "expected an integer argument, found %s", typeName(v))
	}
	return k, true, nil
}

func fnSkip(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	k, ok, err := intArg(c, n, 0)
	if err != nil || !ok {
		return nil, err
	}
	if k <= 0 {
		return in, nil
	}
	if k >= int64(len(in)) {
		return nil, nil
	}
	return in[k:], nil
}

func fnTake(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	k, ok, err := intArg(c, n, 0)
	if err != nil || !ok {
		return nil, err
	}
	if k <= 0 {
		return nil, nil
	}
	if k >= int64(len(in)) {
		return in, nil
	}
	return in[:k:k], nil
}

func fnIntersect(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	other, err := n.arg(c, 0)
	if err != nil {
		return nil, err
	}
	var out []Value
	for _, v := range in {
		if containsValue(other, v) && !containsValue(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

func fnExclude(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	other, err := n.arg(c, 0)
	if err != nil {
		return nil, err
	}
	var out []Value
	for _, v := range in {
		if !containsValue(other, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

func fnUnion(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	other, err := n.arg(c, 0)
	if err != nil {
		return nil, err
	}
	return union(in, other), nil
}

func fnCombine(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	other, err := n.arg(c, 0)
	if err != nil {
		return nil, err
	}
	if len(in)+len(other) > maxCollection {
		return nil, c.errorf(n.pos, "combine() would make more than %d items", maxCollection)
	}
	out := make([]Value, 0, len(in)+len(other))
	return append(append(out, in...), other...), nil
}

func fnIif(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	if _, implicit := n.left.(thisNode); !implicit {
		if len(in) > 1 {
			return nil, c.errorf(n.pos, "iif() on %d items", len(in))
		}
		if len(in) == 1 {
			saved := c.this
			one := [1]Value{in[0]}
			c.this = one[:1:1]
			defer func() { c.this = saved }()
		}
	}
	crit, err := n.arg(c, 0)
	if err != nil {
		return nil, err
	}
	b, ok, err := c.boolOf(crit, n.pos)
	if err != nil {
		return nil, err
	}
	if ok && b {
		return n.arg(c, 1)
	}
	return n.arg(c, 2)
}

func fnNot(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	b, ok, err := c.boolOf(in, n.pos)
	if err != nil || !ok {
		return nil, err
	}
	return boolColl(!b), nil
}

func fnIs(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	v, err := c.singleton(in, n.pos)
	if err != nil || v == nil {
		return nil, err
	}
	return boolColl(n.typ.matches(v, false)), nil
}

func fnAs(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	return asType(c, in, *n.typ, c.expr.cfg.lenient, n.pos)
}

func fnType(_ *evalCtx, _ *funcNode, in []Value) ([]Value, error) {
	out := make([]Value, len(in))
	for i, v := range in {
		out[i] = typeInfo(v)
	}
	return out, nil
}

func fnChildren(c *evalCtx, _ *funcNode, in []Value) ([]Value, error) {
	return c.collectChildren(in, c.pushChild), nil
}

func fnDescendants(c *evalCtx, _ *funcNode, in []Value) ([]Value, error) {
	return c.collectChildren(in, c.descend), nil
}

// collectChildren gathers what fn (pushChild or descend) pushes for each element.
func (c *evalCtx) collectChildren(in []Value, fn func(string, fhir.Element) bool) []Value {
	start := len(c.stack)
	for _, v := range in {
		if e, ok := v.(fhir.Element); ok {
			e.EachChild(fn)
		}
	}
	return c.collect(start)
}

func fnTrace(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	if c.env.Trace == nil {
		return in, nil
	}
	name, err := n.argSingle(c, 0)
	if err != nil {
		return nil, err
	}
	label, _ := stringValue(name)
	values := in
	if len(n.args) > 1 {
		values = nil
		for i, v := range in {
			res, err := c.withThis(n.args[1], v, i)
			if err != nil {
				return nil, err
			}
			values = append(values, res...)
		}
	}
	c.env.Trace(label, append(Collection(nil), values...))
	return in, nil
}

func fnNow(c *evalCtx, _ *funcNode, _ []Value) ([]Value, error) {
	return []Value{DateTime{fromGoTime(c.clock(), precMillis, true)}}, nil
}

func fnToday(c *evalCtx, _ *funcNode, _ []Value) ([]Value, error) {
	return []Value{Date{fromGoTime(c.clock(), precDay, false)}}, nil
}

func fnTimeOfDay(c *evalCtx, _ *funcNode, _ []Value) ([]Value, error) {
	t := fromGoTime(c.clock(), precMillis, false)
	t.year, t.month, t.day = 0, 0, 0
	return []Value{Time{t}}, nil
}

func fnAggregate(c *evalCtx, n *funcNode, in []Value) ([]Value, error) {
	var total []Value
	if len(n.args) > 1 {
		init, err := n.arg(c, 1)
		if err != nil {
			return nil, err
		}
		total = init
	}
	savedTotal := c.total
	defer func() { c.total = savedTotal }()
	for i, v := range in {
		c.total = total
		res, err := c.withThis(n.args[0], v, i)
		if err != nil {
			return nil, err
		}
		total = res
	}
	return total, nil
}
