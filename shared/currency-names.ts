/**
 * Currency names for people. The locale's own name comes from Intl.DisplayNames where its
 * data has one; the ICU data shipped with Chromium (and so Electron) lacks several codes the
 * ledger accepts (BOV, CHE, CHW, CLF, COU, XCG, ZWG among them), and for those — and any code a
 * runtime does not know — the English name ISO 4217 gives is shown instead. Every accepted
 * code (shared/money.ts) has one (tests/engine/currency-names.test.ts). Pure: no DOM, no Node.
 */

/** ISO 4217 list one: each accepted code with its English currency name. */
const ISO_NAMES_TEXT = `
AED UAE Dirham
AFN Afghani
ALL Lek
AMD Armenian Dram
ANG Netherlands Antillean Guilder
AOA Kwanza
ARS Argentine Peso
AUD Australian Dollar
AWG Aruban Florin
AZN Azerbaijan Manat
BAM Convertible Mark
BBD Barbados Dollar
BDT Taka
BGN Bulgarian Lev
BHD Bahraini Dinar
BIF Burundi Franc
BMD Bermudian Dollar
BND Brunei Dollar
BOB Boliviano
BOV Mvdol
BRL Brazilian Real
BSD Bahamian Dollar
BTN Ngultrum
BWP Pula
BYN Belarusian Ruble
BZD Belize Dollar
CAD Canadian Dollar
CDF Congolese Franc
CHE WIR Euro
CHF Swiss Franc
CHW WIR Franc
CLF Unidad de Fomento
CLP Chilean Peso
CNY Yuan Renminbi
COP Colombian Peso
COU Unidad de Valor Real
CRC Costa Rican Colon
CUP Cuban Peso
CVE Cabo Verde Escudo
CZK Czech Koruna
DJF Djibouti Franc
DKK Danish Krone
DOP Dominican Peso
DZD Algerian Dinar
EGP Egyptian Pound
ERN Nakfa
ETB Ethiopian Birr
EUR Euro
FJD Fiji Dollar
FKP Falkland Islands Pound
GBP Pound Sterling
GEL Lari
GHS Ghana Cedi
GIP Gibraltar Pound
GMD Dalasi
GNF Guinean Franc
GTQ Quetzal
GYD Guyana Dollar
HKD Hong Kong Dollar
HNL Lempira
HTG Gourde
HUF Forint
IDR Rupiah
ILS New Israeli Sheqel
INR Indian Rupee
IQD Iraqi Dinar
IRR Iranian Rial
ISK Iceland Krona
JMD Jamaican Dollar
JOD Jordanian Dinar
JPY Yen
KES Kenyan Shilling
KGS Som
KHR Riel
KMF Comorian Franc
KPW North Korean Won
KRW Won
KWD Kuwaiti Dinar
KYD Cayman Islands Dollar
KZT Tenge
LAK Lao Kip
LBP Lebanese Pound
LKR Sri Lanka Rupee
LRD Liberian Dollar
LSL Loti
LYD Libyan Dinar
MAD Moroccan Dirham
MDL Moldovan Leu
MGA Malagasy Ariary
MKD Denar
MMK Kyat
MNT Tugrik
MOP Pataca
MRU Ouguiya
MUR Mauritius Rupee
MVR Rufiyaa
MWK Malawi Kwacha
MXN Mexican Peso
MXV Mexican Unidad de Inversion (UDI)
MYR Malaysian Ringgit
MZN Mozambique Metical
NAD Namibia Dollar
NGN Naira
NIO Cordoba Oro
NOK Norwegian Krone
NPR Nepalese Rupee
NZD New Zealand Dollar
OMR Rial Omani
PAB Balboa
PEN Sol
PGK Kina
PHP Philippine Peso
PKR Pakistan Rupee
PLN Zloty
PYG Guarani
QAR Qatari Rial
RON Romanian Leu
RSD Serbian Dinar
RUB Russian Ruble
RWF Rwanda Franc
SAR Saudi Riyal
SBD Solomon Islands Dollar
SCR Seychelles Rupee
SDG Sudanese Pound
SEK Swedish Krona
SGD Singapore Dollar
SHP Saint Helena Pound
SLE Leone
SOS Somali Shilling
SRD Surinam Dollar
SSP South Sudanese Pound
STN Dobra
SVC El Salvador Colon
SYP Syrian Pound
SZL Lilangeni
THB Baht
TJS Somoni
TMT Turkmenistan New Manat
TND Tunisian Dinar
TOP Pa’anga
TRY Turkish Lira
TTD Trinidad and Tobago Dollar
TWD New Taiwan Dollar
TZS Tanzanian Shilling
UAH Hryvnia
UGX Uganda Shilling
USD US Dollar
USN US Dollar (Next day)
UYI Uruguay Peso en Unidades Indexadas (UI)
UYU Peso Uruguayo
UYW Unidad Previsional
UZS Uzbekistan Sum
VED Bolívar Soberano
VES Bolívar Soberano
VND Dong
VUV Vatu
WST Tala
XAF CFA Franc BEAC
XCD East Caribbean Dollar
XCG Caribbean guilder
XOF CFA Franc BCEAO
XPF CFP Franc
YER Yemeni Rial
ZAR Rand
ZMW Zambian Kwacha
ZWG Zimbabwe Gold
`;

export const ISO_CURRENCY_NAMES: ReadonlyMap<string, string> = new Map(
  ISO_NAMES_TEXT.trim()
    .split('\n')
    .map((line) => [line.slice(0, 3), line.slice(4)] as const),
);

/** What names currencies in a locale: Intl.DisplayNames, or anything answering `of` the same way. */
export type LocalizedNames = { of(code: string): string | undefined };

const localizedNamesByLocale = new Map<string, LocalizedNames>();

/** The locale's currency names; `fallback: 'none'` makes a code without data answer undefined, not the code. */
export function localizedCurrencyNames(locale?: string): LocalizedNames {
  const key = locale ?? '';
  let names = localizedNamesByLocale.get(key);
  if (!names) {
    names = new Intl.DisplayNames(locale, { type: 'currency', fallback: 'none' });
    localizedNamesByLocale.set(key, names);
  }
  return names;
}

/** A currency's name for a person: the locale's own, else ISO 4217's English one, else undefined. */
export function currencyName(code: string, names: LocalizedNames = localizedCurrencyNames()): string | undefined {
  let localized: string | undefined;
  try {
    localized = names.of(code);
  } catch {
    // Intl throws a RangeError for text that is not a well-formed code; the table decides then.
  }
  return localized && localized !== code ? localized : ISO_CURRENCY_NAMES.get(code);
}
