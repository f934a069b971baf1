package synth

// Demographic tables: ethnic groups (NHS Data Dictionary ethnic category, England) with
// shares close to the 2021 census for England, and name pools that fit each group.

// Code systems used throughout.
const (
	sysSNOMED      = "http://snomed.info/sct"
	sysLOINC       = "http://loinc.org"
	sysUCUM        = "http://unitsofmeasure.org"
	sysDMD         = "https://dmd.nhs.uk"
	sysNHSNumber   = "https://fhir.nhs.uk/Id/nhs-number"
	sysODS         = "https://fhir.nhs.uk/Id/ods-organization-code"
	sysSDSUser     = "https://fhir.nhs.uk/Id/sds-user-id"
	sysGMC         = "https://fhir.hl7.org.uk/Id/gmc-number"
	sysGMP         = "https://fhir.hl7.org.uk/Id/gmp-number"
	sysNMC         = "https://fhir.hl7.org.uk/Id/nmc-number"
	sysEthnicity   = "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland"
	sysNHSVerify   = "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland"
	sysMarital     = "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus"
	sysActCode     = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	sysObsCategory = "http://terminology.hl7.org/CodeSystem/observation-category"
)

// Concept is one coded value.
type Concept struct {
	System, Code, Display string
}

// nameStyle selects a pool of names.
type nameStyle int

const (
	styleBritish nameStyle = iota
	styleIrish
	styleEuropean // White - any other White background: Polish, Romanian, Italian ...
	styleIndian
	stylePakistani
	styleBangladeshi
	styleChinese
	styleAfrican
	styleCaribbean
	styleArab
)

type ethnicGroup struct {
	concept Concept
	weight  int // per 1,000
	// styles: names are drawn from the first style, and for mixed backgrounds the family
	// name from the second.
	styles [2]nameStyle
	// diabetesRisk scales type 2 diabetes prevalence (higher in South Asian and Black
	// populations).
	diabetesRisk float64
}

func ethnic(code, display string) Concept { return Concept{sysEthnicity, code, display} }

var ethnicGroups = []ethnicGroup{
	{ethnic("A", "White - British"), 738, [2]nameStyle{styleBritish, styleBritish}, 1},
	{ethnic("B", "White - Irish"), 9, [2]nameStyle{styleIrish, styleIrish}, 1},
	{ethnic("C", "White - Any other White background"), 63, [2]nameStyle{styleEuropean, styleEuropean}, 1},
	{ethnic("D", "Mixed - White and Black Caribbean"), 9, [2]nameStyle{styleBritish, styleCaribbean}, 1.5},
	{ethnic("E", "Mixed - White and Black African"), 5, [2]nameStyle{styleBritish, styleAfrican}, 1.5},
	{ethnic("F", "Mixed - White and Asian"), 8, [2]nameStyle{styleBritish, styleIndian}, 1.5},
	{ethnic("G", "Mixed - Any other mixed background"), 8, [2]nameStyle{styleBritish, styleEuropean}, 1.2},
	{ethnic("H", "Asian or Asian British - Indian"), 32, [2]nameStyle{styleIndian, styleIndian}, 2.5},
	{ethnic("J", "Asian or Asian British - Pakistani"), 28, [2]nameStyle{stylePakistani, stylePakistani}, 2.5},
	{ethnic("K", "Asian or Asian British - Bangladeshi"), 11, [2]nameStyle{styleBangladeshi, styleBangladeshi}, 2.5},
	{ethnic("L", "Asian or Asian British - Any other Asian background"), 16, [2]nameStyle{styleIndian, styleIndian}, 2},
	{ethnic("M", "Black or Black British - Caribbean"), 11, [2]nameStyle{styleCaribbean, styleCaribbean}, 2},
	{ethnic("N", "Black or Black British - African"), 25, [2]nameStyle{styleAfrican, styleAfrican}, 2},
	{ethnic("P", "Black or Black British - Any other Black background"), 5, [2]nameStyle{styleCaribbean, styleAfrican}, 2},
	{ethnic("R", "Other Ethnic Groups - Chinese"), 7, [2]nameStyle{styleChinese, styleChinese}, 1.3},
	{ethnic("S", "Other Ethnic Groups - Any other ethnic group"), 16, [2]nameStyle{styleArab, styleArab}, 1.5},
	{ethnic("Z", "Not stated"), 9, [2]nameStyle{styleBritish, styleBritish}, 1},
}

type namePool struct {
	male, female, family []string
}

var namePools = map[nameStyle]namePool{
	styleBritish: {
		male: []string{"Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Thomas", "Oscar", "William",
			"James", "Henry", "Alfie", "Leo", "Joshua", "Freddie", "Archie", "Ethan", "Isaac", "Alexander",
			"David", "John", "Michael", "Paul", "Andrew", "Peter", "Richard", "Stephen", "Mark", "Robert",
			"Christopher", "Daniel", "Matthew", "Gary", "Ian", "Neil", "Stuart", "Graham", "Keith", "Colin",
			"Brian", "Kenneth", "Derek", "Trevor", "Roy", "Dennis", "Ronald", "Leonard", "Arthur", "Stanley"},
		female: []string{"Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophia", "Grace", "Mia", "Poppy", "Ella",
			"Lily", "Evie", "Isabella", "Charlotte", "Jessica", "Freya", "Ruby", "Daisy", "Florence", "Alice",
			"Sarah", "Emma", "Claire", "Rachel", "Rebecca", "Laura", "Helen", "Nicola", "Joanne", "Lisa",
			"Karen", "Susan", "Julie", "Amanda", "Michelle", "Deborah", "Tracey", "Louise", "Gillian", "Janet",
			"Margaret", "Patricia", "Barbara", "Jean", "Doreen", "Joan", "Dorothy", "Sheila", "Pauline", "Elsie"},
		family: []string{"Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
			"Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
			"Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill",
			"Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen",
			"James", "Scott", "Phillips", "Watson", "Davis", "Parker", "Price", "Bennett", "Young", "Griffiths",
			"Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy",
			"Miller", "Cox", "Richards", "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh",
			"Begum", "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali",
			"Hunt", "Hussain", "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight",
			"Lloyd", "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey"},
	},
	styleIrish: {
		male:   []string{"Sean", "Patrick", "Conor", "Declan", "Ciaran", "Niall", "Eoin", "Liam", "Padraig", "Cormac"},
		female: []string{"Siobhan", "Aoife", "Niamh", "Sinead", "Roisin", "Ciara", "Orla", "Grainne", "Mairead", "Bridget"},
		family: []string{"Murphy", "Kelly", "O'Sullivan", "Walsh", "O'Brien", "Byrne", "Ryan", "O'Connor", "O'Neill", "Doyle",
			"McCarthy", "Gallagher", "Kennedy", "Lynch", "Quinn", "Brennan", "Fitzgerald", "Daly", "Nolan", "Flanagan"},
	},
	styleEuropean: {
		male:   []string{"Jakub", "Piotr", "Tomasz", "Marek", "Andrei", "Mihai", "Luca", "Marco", "Tiago", "Lukas", "Mateusz", "Krzysztof"},
		female: []string{"Anna", "Katarzyna", "Agnieszka", "Magdalena", "Elena", "Ioana", "Giulia", "Francesca", "Ana", "Zuzana", "Monika", "Joanna"},
		family: []string{"Nowak", "Kowalski", "Wisniewski", "Wojcik", "Kaminski", "Lewandowski", "Popescu", "Ionescu", "Rossi", "Russo",
			"Ferreira", "Silva", "Novak", "Horvath", "Kazlauskas", "Berzins", "Dimitrov", "Schmidt", "Garcia", "Fernandes"},
	},
	styleIndian: {
		male:   []string{"Arjun", "Rohan", "Vikram", "Rajesh", "Sanjay", "Amit", "Harpreet", "Gurpreet", "Anil", "Ravi", "Dev", "Nikhil"},
		female: []string{"Priya", "Anjali", "Sunita", "Kavita", "Meera", "Pooja", "Harjit", "Simran", "Neha", "Deepa", "Asha", "Lakshmi"},
		family: []string{"Patel", "Singh", "Sharma", "Kaur", "Gill", "Shah", "Kumar", "Mistry", "Sandhu", "Joshi",
			"Mehta", "Chauhan", "Parmar", "Sidhu", "Dhillon", "Rao", "Nair", "Desai", "Bains", "Gupta"},
	},
	stylePakistani: {
		male:   []string{"Mohammed", "Muhammad", "Imran", "Tariq", "Asif", "Zahid", "Bilal", "Usman", "Hamza", "Adeel", "Faisal", "Kamran"},
		female: []string{"Ayesha", "Fatima", "Nazia", "Samina", "Sana", "Rubina", "Shazia", "Zainab", "Maryam", "Hina", "Saima", "Amina"},
		family: []string{"Khan", "Hussain", "Ahmed", "Ali", "Iqbal", "Akhtar", "Mahmood", "Butt", "Malik", "Rashid",
			"Mirza", "Aslam", "Shah", "Bibi", "Javed", "Qureshi", "Riaz", "Anwar", "Sadiq", "Zaman"},
	},
	styleBangladeshi: {
		male:   []string{"Abdul", "Mohammed", "Shahid", "Rahim", "Jamal", "Anwar", "Sayed", "Habib", "Nurul", "Rafiq"},
		female: []string{"Rahima", "Nasreen", "Shirin", "Taslima", "Runa", "Jesmin", "Sultana", "Shamima", "Nazma", "Farzana"},
		family: []string{"Begum", "Miah", "Rahman", "Uddin", "Islam", "Ahmed", "Hoque", "Khatun", "Chowdhury", "Hossain",
			"Ali", "Alam", "Bibi", "Karim", "Sarkar"},
	},
	styleChinese: {
		male:   []string{"Wei", "Jun", "Hao", "Ming", "Chen", "Kai", "Jian", "Lei", "Peter", "David"},
		female: []string{"Mei", "Li", "Xin", "Yan", "Hui", "Ling", "Jing", "Fang", "Grace", "Amy"},
		family: []string{"Wong", "Chan", "Li", "Chen", "Zhang", "Wang", "Liu", "Lam", "Cheung", "Ng", "Ho", "Yang", "Lin", "Huang", "Tang"},
	},
	styleAfrican: {
		male:   []string{"Chukwuemeka", "Oluwaseun", "Kwame", "Kofi", "Tendai", "Abdi", "Emmanuel", "Samuel", "Tunde", "Chidi", "Yusuf", "Daniel"},
		female: []string{"Adaeze", "Ngozi", "Abena", "Ama", "Chipo", "Amina", "Blessing", "Grace", "Folake", "Nkechi", "Hodan", "Esther"},
		family: []string{"Okafor", "Adeyemi", "Mensah", "Osei", "Boateng", "Okonkwo", "Adebayo", "Nwosu", "Asante", "Moyo",
			"Mohamed", "Abdi", "Ogunleye", "Eze", "Owusu", "Banda", "Mwangi", "Achieng", "Oyelaran", "Nkemelu"},
	},
	styleCaribbean: {
		male:   []string{"Marcus", "Delroy", "Winston", "Errol", "Leroy", "Andre", "Tyrone", "Jerome", "Clive", "Lloyd", "Dwayne", "Nathan"},
		female: []string{"Maxine", "Sharon", "Marcia", "Yvonne", "Beverley", "Jasmine", "Keisha", "Natalie", "Paulette", "Hyacinth", "Monique", "Shanice"},
		family: []string{"Campbell", "Brown", "Williams", "Francis", "Thomas", "Johnson", "Robinson", "Henry", "Grant", "Clarke",
			"Edwards", "Morgan", "Reid", "Bailey", "Lewis", "Gordon", "Samuels", "Forbes", "McKenzie", "Stewart"},
	},
	styleArab: {
		male:   []string{"Ahmed", "Omar", "Khalid", "Yusuf", "Karim", "Hassan", "Ali", "Sami", "Tariq", "Rami"},
		female: []string{"Layla", "Noor", "Yasmin", "Mariam", "Huda", "Rania", "Salma", "Leila", "Dina", "Sara"},
		family: []string{"Al-Sayed", "Haddad", "Hassan", "Ibrahim", "Mansour", "Nasser", "Saleh", "Abdullah", "Farah", "Aziz",
			"Karimi", "Hosseini", "Yilmaz", "Demir", "Rahimi"},
	},
}

// Marital status (HL7 v3 MaritalStatus, in the UK Core value set).
var (
	maritalNever    = Concept{sysMarital, "S", "Never Married"}
	maritalMarried  = Concept{sysMarital, "M", "Married"}
	maritalDivorced = Concept{sysMarital, "D", "Divorced"}
	maritalWidowed  = Concept{sysMarital, "W", "Widowed"}
	maritalPartner  = Concept{sysMarital, "T", "Domestic partner"}
	nhsNumberTraced = Concept{sysNHSVerify, "01", "Number present and verified"}
)
