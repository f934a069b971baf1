package ucum

// The dimensions of the UCUM base units, in the order of the dims vector.
const (
	dimLength      = iota // m
	dimTime               // s
	dimMass               // g
	dimAngle              // rad
	dimTemperature        // K
	dimCharge             // C
	dimLuminosity         // cd
	numDims
)

var baseSymbols = [numDims]string{"m", "s", "g", "rad", "K", "C", "cd"}

// atomDef defines an atom by a magnitude times a unit expression made of atoms defined
// before it (or base units), as the UCUM table does. metric says whether prefixes apply.
type atomDef struct {
	code   string
	metric bool
	value  string // decimal literal
	unit   string // UCUM expression, "" or "1" for a pure number
}

// atoms is the table of supported atoms (UCUM essence, section 4 onwards). Order
// matters: each definition may only use atoms that precede it.
var atoms = []atomDef{
	// Base units.
	{"m", true, "1", ""}, {"s", true, "1", ""}, {"g", true, "1", ""}, {"rad", true, "1", ""},
	{"K", true, "1", ""}, {"C", true, "1", ""}, {"cd", true, "1", ""},
	// Dimensionless.
	{"10*", false, "10", ""}, {"10^", false, "10", ""}, {"[pi]", false, "3.1415926535897932384626433832795028841971693993751058209749445923", ""},
	{"%", false, "0.01", ""}, {"[ppth]", false, "0.001", ""}, {"[ppm]", false, "0.000001", ""},
	{"[ppb]", false, "0.000000001", ""}, {"[pptr]", false, "0.000000000001", ""},
	{"mol", true, "6.0221367e23", ""}, {"sr", true, "1", "rad2"},
	// SI derived units.
	{"Hz", true, "1", "s-1"}, {"N", true, "1", "kg.m/s2"}, {"Pa", true, "1", "N/m2"},
	{"J", true, "1", "N.m"}, {"W", true, "1", "J/s"}, {"A", true, "1", "C/s"},
	{"V", true, "1", "J/C"}, {"F", true, "1", "C/V"}, {"Ohm", true, "1", "V/A"},
	{"S", true, "1", "Ohm-1"}, {"Wb", true, "1", "V.s"}, {"T", true, "1", "Wb/m2"},
	{"H", true, "1", "Wb/A"}, {"lm", true, "1", "cd.sr"}, {"lx", true, "1", "lm/m2"},
	{"Bq", true, "1", "s-1"}, {"Gy", true, "1", "J/kg"}, {"Sv", true, "1", "J/kg"},
	{"kat", true, "1", "mol/s"},
	// Units accepted with SI.
	{"deg", false, "2", "[pi].rad/360"},
	{"gon", false, "0.9", "deg"},
	{"'", false, "1", "deg/60"}, {"''", false, "1", "'/60"},
	{"l", true, "1", "dm3"}, {"L", true, "1", "l"},
	{"ar", true, "100", "m2"},
	{"min", false, "60", "s"}, {"h", false, "60", "min"}, {"d", false, "24", "h"},
	{"a_t", false, "365.24219", "d"}, {"a_j", false, "365.25", "d"}, {"a_g", false, "365.2425", "d"},
	{"a", false, "1", "a_j"}, {"wk", false, "7", "d"},
	{"mo_s", false, "29.53059", "d"}, {"mo_j", false, "1", "a_j/12"}, {"mo_g", false, "1", "a_g/12"},
	{"mo", false, "1", "mo_j"},
	{"U", true, "1", "umol/min"},
	{"t", true, "1000", "kg"}, {"bar", true, "100000", "Pa"}, {"u", true, "1.6605402e-24", "g"},
	{"eV", true, "1.60217733e-19", "J"},
	{"eq", true, "1", "mol"}, {"osm", true, "1", "mol"},
	{"g%", true, "1", "g/dl"},
	{"[g]", false, "9.80665", "m/s2"}, {"atm", false, "101325", "Pa"},
	{"cal", true, "4.184", "J"}, {"[Cal]", false, "1", "kcal"},
	{"m[Hg]", true, "133.3220", "kPa"}, {"m[H2O]", true, "9.80665", "kPa"},
	{"[drp]", false, "1", "ml/20"},
	// International customary units.
	{"[in_i]", false, "2.54", "cm"}, {"[ft_i]", false, "12", "[in_i]"}, {"[yd_i]", false, "3", "[ft_i]"},
	{"[mi_i]", false, "5280", "[ft_i]"}, {"[nmi_i]", false, "1852", "m"},
	{"[sin_i]", false, "1", "[in_i]2"}, {"[sft_i]", false, "1", "[ft_i]2"}, {"[cin_i]", false, "1", "[in_i]3"},
	{"[lb_av]", false, "453.59237", "g"}, {"[oz_av]", false, "1", "[lb_av]/16"},
	{"[dr_av]", false, "1", "[oz_av]/16"}, {"[gr]", false, "64.79891", "mg"},
	{"[stone_av]", false, "14", "[lb_av]"}, {"[lbf_av]", false, "1", "[lb_av].[g]"},
	{"[psi]", false, "1", "[lbf_av]/[in_i]2"},
	// US volumes.
	{"[gal_us]", false, "231", "[in_i]3"}, {"[qt_us]", false, "1", "[gal_us]/4"},
	{"[pt_us]", false, "1", "[qt_us]/2"}, {"[gil_us]", false, "1", "[pt_us]/4"},
	{"[foz_us]", false, "1", "[gil_us]/4"}, {"[tbs_us]", false, "1", "[foz_us]/2"},
	{"[tsp_us]", false, "1", "[tbs_us]/3"}, {"[cup_us]", false, "16", "[tbs_us]"},
}

// prefixes are the UCUM metric prefixes (section 4.1).
var prefixes = map[string]string{
	"Y": "1e24", "Z": "1e21", "E": "1e18", "P": "1e15", "T": "1e12", "G": "1e9", "M": "1e6",
	"k": "1e3", "h": "1e2", "da": "1e1", "d": "1e-1", "c": "1e-2", "m": "1e-3", "u": "1e-6",
	"n": "1e-9", "p": "1e-12", "f": "1e-15", "a": "1e-18", "z": "1e-21", "y": "1e-24",
}
