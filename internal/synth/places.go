package synth

// Places and providers. Each area is an English city with its real postcode districts,
// dialling code, acute NHS trust and community NHS trust (real organisations with their
// real ODS codes). GP practices are invented: their ODS codes follow the real pattern (a
// commissioner letter, then digits) in the 9xx range of the area's prefix, and their
// names are made from local place names.

type trust struct {
	ods, name string
	// line and postcode of the main site.
	line, postcode string
}

type area struct {
	city, county string
	dialling     string // STD code without the leading zero's trunk prefix handled by format
	// districts are real outward codes in the city.
	districts []string
	streets   []string
	// localities are neighbourhoods used for practice names and address line 2.
	localities []string
	acute      trust
	community  trust
	// practicePrefix is the first three characters of the area's invented practice codes.
	practicePrefix string
	weight         int // share of the population, per 100
}

var areas = []area{
	{
		city: "LEEDS", county: "West Yorkshire", dialling: "0113",
		districts:      []string{"LS6", "LS7", "LS8", "LS11", "LS12", "LS14", "LS16", "LS17", "LS28"},
		streets:        []string{"Harehills Lane", "Street Lane", "Otley Road", "Roundhay Road", "Dewsbury Road", "Town Street", "Kirkstall Lane", "Stainbeck Road", "Tong Road", "Selby Road"},
		localities:     []string{"Headingley", "Chapel Allerton", "Roundhay", "Beeston", "Armley", "Seacroft", "Adel", "Moortown", "Pudsey"},
		acute:          trust{"RR8", "LEEDS TEACHING HOSPITALS NHS TRUST", "ST. JAMES'S UNIVERSITY HOSPITAL, BECKETT STREET", "LS9 7TF"},
		community:      trust{"RY6", "LEEDS COMMUNITY HEALTHCARE NHS TRUST", "STOCKDALE HOUSE, 8 VICTORIA ROAD", "LS6 1PF"},
		practicePrefix: "B86", weight: 16,
	},
	{
		city: "BIRMINGHAM", county: "West Midlands", dialling: "0121",
		districts:      []string{"B13", "B14", "B15", "B17", "B23", "B29", "B30", "B44"},
		streets:        []string{"Alcester Road", "Pershore Road", "Bristol Road", "Harborne Park Road", "Slade Road", "High Street", "Stratford Road", "Church Road", "College Road", "Station Road"},
		localities:     []string{"Moseley", "Kings Heath", "Edgbaston", "Harborne", "Erdington", "Selly Oak", "Stirchley", "Kingstanding"},
		acute:          trust{"RRK", "UNIVERSITY HOSPITALS BIRMINGHAM NHS FOUNDATION TRUST", "QUEEN ELIZABETH HOSPITAL, MINDELSOHN WAY", "B15 2GW"},
		community:      trust{"RYW", "BIRMINGHAM COMMUNITY HEALTHCARE NHS FOUNDATION TRUST", "3 PRIESTLEY WHARF, HOLT STREET", "B7 4BN"},
		practicePrefix: "M85", weight: 20,
	},
	{
		city: "SHEFFIELD", county: "South Yorkshire", dialling: "0114",
		districts:      []string{"S2", "S5", "S6", "S7", "S8", "S10", "S11", "S35"},
		streets:        []string{"Abbeydale Road", "Ecclesall Road", "Chesterfield Road", "Middlewood Road", "Barnsley Road", "Fulwood Road", "Manor Lane", "Crookes Valley Road", "Herries Road", "Manchester Road"},
		localities:     []string{"Heeley", "Firth Park", "Hillsborough", "Nether Edge", "Woodseats", "Crookes", "Ecclesall", "Chapeltown"},
		acute:          trust{"RHQ", "SHEFFIELD TEACHING HOSPITALS NHS FOUNDATION TRUST", "NORTHERN GENERAL HOSPITAL, HERRIES ROAD", "S5 7AU"},
		community:      trust{"TAH", "SHEFFIELD HEALTH AND SOCIAL CARE NHS FOUNDATION TRUST", "CENTRE COURT, ATLAS WAY", "S4 7QQ"},
		practicePrefix: "C88", weight: 10,
	},
	{
		city: "LEICESTER", county: "Leicestershire", dialling: "0116",
		districts:      []string{"LE2", "LE3", "LE4", "LE5", "LE18"},
		streets:        []string{"Narborough Road", "Belgrave Road", "London Road", "Uppingham Road", "Melton Road", "Welford Road", "Hinckley Road", "Evington Road"},
		localities:     []string{"Aylestone", "Belgrave", "Stoneygate", "Evington", "Braunstone", "Wigston", "Humberstone", "Rushey Mead"},
		acute:          trust{"RWE", "UNIVERSITY HOSPITALS OF LEICESTER NHS TRUST", "LEICESTER ROYAL INFIRMARY, INFIRMARY SQUARE", "LE1 5WW"},
		community:      trust{"RT5", "LEICESTERSHIRE PARTNERSHIP NHS TRUST", "RIVERSIDE HOUSE, BRIDGE PARK PLAZA", "LE4 8PQ"},
		practicePrefix: "C82", weight: 10,
	},
	{
		city: "LIVERPOOL", county: "Merseyside", dialling: "0151",
		districts:      []string{"L8", "L13", "L15", "L17", "L18", "L25"},
		streets:        []string{"Smithdown Road", "Aigburth Road", "Allerton Road", "Queens Drive", "Lodge Lane", "Woolton Road", "Picton Road", "Prince's Road"},
		localities:     []string{"Toxteth", "Old Swan", "Wavertree", "Aigburth", "Allerton", "Woolton", "Childwall", "Mossley Hill"},
		acute:          trust{"REM", "LIVERPOOL UNIVERSITY HOSPITALS NHS FOUNDATION TRUST", "ROYAL LIVERPOOL UNIVERSITY HOSPITAL, PRESCOT STREET", "L7 8XP"},
		community:      trust{"RW4", "MERSEY CARE NHS FOUNDATION TRUST", "V7 BUILDING, KINGS BUSINESS PARK", "L34 1PJ"},
		practicePrefix: "N82", weight: 12,
	},
	{
		city: "NOTTINGHAM", county: "Nottinghamshire", dialling: "0115",
		districts:      []string{"NG3", "NG5", "NG7", "NG8", "NG9", "NG11"},
		streets:        []string{"Mansfield Road", "Alfreton Road", "Derby Road", "Wollaton Road", "Carlton Road", "Hucknall Road", "Wilford Lane", "Ilkeston Road"},
		localities:     []string{"Sherwood", "Arnold", "Lenton", "Radford", "Beeston", "Clifton", "Bulwell", "Mapperley"},
		acute:          trust{"RX1", "NOTTINGHAM UNIVERSITY HOSPITALS NHS TRUST", "QUEENS MEDICAL CENTRE, DERBY ROAD", "NG7 2UH"},
		community:      trust{"RHA", "NOTTINGHAMSHIRE HEALTHCARE NHS FOUNDATION TRUST", "DUNCAN MACMILLAN HOUSE, PORCHESTER ROAD", "NG3 6AA"},
		practicePrefix: "C84", weight: 10,
	},
	{
		city: "NEWCASTLE UPON TYNE", county: "Tyne and Wear", dialling: "0191",
		districts:      []string{"NE2", "NE3", "NE4", "NE5", "NE6", "NE15"},
		streets:        []string{"Osborne Road", "Westgate Road", "Shields Road", "Gosforth High Street", "Chillingham Road", "Stamfordham Road", "Elswick Road", "Benton Road"},
		localities:     []string{"Jesmond", "Gosforth", "Benwell", "Fenham", "Heaton", "Walker", "Denton", "Byker"},
		acute:          trust{"RTD", "THE NEWCASTLE UPON TYNE HOSPITALS NHS FOUNDATION TRUST", "FREEMAN HOSPITAL, FREEMAN ROAD", "NE7 7DN"},
		community:      trust{"RX4", "CUMBRIA, NORTHUMBERLAND, TYNE AND WEAR NHS FOUNDATION TRUST", "ST. NICHOLAS HOSPITAL, JUBILEE ROAD", "NE3 3XT"},
		practicePrefix: "A87", weight: 8,
	},
	{
		city: "LONDON", county: "Greater London", dialling: "020",
		districts:      []string{"SE5", "SE11", "SE15", "SE22", "SE24", "SW9"},
		streets:        []string{"Camberwell Grove", "Kennington Road", "Rye Lane", "Lordship Lane", "Railton Road", "Coldharbour Lane", "Peckham Road", "Denmark Hill"},
		localities:     []string{"Camberwell", "Kennington", "Peckham", "East Dulwich", "Herne Hill", "Brixton", "Nunhead", "Walworth"},
		acute:          trust{"RJZ", "KING'S COLLEGE HOSPITAL NHS FOUNDATION TRUST", "DENMARK HILL", "SE5 9RS"},
		community:      trust{"RJ1", "GUY'S AND ST THOMAS' NHS FOUNDATION TRUST", "ST THOMAS' HOSPITAL, WESTMINSTER BRIDGE ROAD", "SE1 7EH"},
		practicePrefix: "G85", weight: 14,
	},
}

// practicesPerArea is how many invented GP practices each area has.
const practicesPerArea = 4

var practiceSuffixes = []string{"MEDICAL CENTRE", "SURGERY", "HEALTH CENTRE", "MEDICAL PRACTICE", "FAMILY PRACTICE", "GROUP PRACTICE"}

// Inward codes use a digit and two letters; the letters C, I, K, M, O and V never occur.
const inwardLetters = "ABDEFGHJLNPQRSTUWXYZ"
