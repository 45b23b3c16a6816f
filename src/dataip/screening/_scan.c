/* The value passes of dataip.screening.detect and the CSV reader of .parse, in C.
 *
 * Why by hand: screening must run at tens of MB/s per core (issue 7). In Python the time
 * went to the regular-expression passes (Python's `re` walks the whole column text once per
 * pattern, testing a character class at every position) and to the per-match work after them
 * (about 7 us for each of the ~20,000 identifiers in every megabyte). No library validates
 * Chinese identifiers (GB 11643 resident IDs, GB 32100 credit codes, mobile segments, area
 * codes, UnionPay cards, plates), and the engines that are faster than `re` (RE2,
 * Hyperscan) have no look-behind and would still hand every match back to Python.
 *
 * What it does, exactly as detect.py's pure-Python passes would (that code is the reference:
 * the rules are written there, it runs where this module is not built, and
 * tests/unit/screening/test_scan_native.py checks that both find the same hits, in the same
 * order, on edge cases, generated text and the labelled corpus):
 *
 *   1. digits  - the `_DIGITS` pattern and `_digit_hit`: at every run of ASCII digits not
 *                preceded by a digit, "@" or ".", its alternatives in order (a credit code
 *                that may hold letters; 10-19 digits and an X check character; a number in
 *                groups; an IPv4 address), then classification and validation;
 *   2. letters - `_LETTERS` and `_document_kind`: an ASCII token starting with an upper-case
 *                letter (passports, permits, credit codes starting with a letter);
 *   3. plates  - `_PLATE` and its checks;
 *   4. e-mail  - `_EMAIL` and its local-part checks, from every "@";
 *   5. IPv6    - `_IPV6` (a run of hex digits, ":" and "." with two colons) and the checks
 *                of `_ipv6_value`, ipaddress.IPv6Address's parser included.
 *
 * One walk over the text starts each pass at its first character and resumes it where its
 * pattern's finditer would. Landlines in brackets stay in Python (rare: that pass runs only
 * on text with a bracket). The text is copied once to UCS-4 so the walk reads plain 32-bit
 * characters.
 *
 * Also here, each with its own note below: the column line statistics of columns.py
 * (line_stats), full-width normalisation (normalise), value lengths (lengths) and the CSV
 * reader (csv_columns).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

enum {
    K_RESIDENT_ID,
    K_USCC,
    K_MOBILE,
    K_LANDLINE,
    K_BANK_CARD,
    K_CARD_CANDIDATE,
    K_PASSPORT,
    K_HK_MACAU_PERMIT,
    K_PLATE,
    K_EMAIL,
    K_IPV4,
    K_IPV6,
    K_COUNT,
    K_LETTERS_USCC = K_COUNT /* the letter pass's credit codes, appended to K_USCC at the end */
};

typedef Py_UCS4 ch;

/* --- validators (validate.py) ------------------------------------------------------------ */

static int is_province(int a, int b) {
    switch (a * 10 + b) {
    case 11: case 12: case 13: case 14: case 15:
    case 21: case 22: case 23:
    case 31: case 32: case 33: case 34: case 35: case 36: case 37:
    case 41: case 42: case 43: case 44: case 45: case 46:
    case 50: case 51: case 52: case 53: case 54:
    case 61: case 62: case 63: case 64: case 65:
    case 71: case 81: case 82: case 83:
        return 1;
    default:
        return 0;
    }
}

/* validate.birth_date_ok on 8 digits d[0..7]; today is "YYYYMMDD" */
static int birth_date_ok(const int *d, const char *today) {
    char s[9];
    for (int i = 0; i < 8; i++) s[i] = (char)('0' + d[i]);
    s[8] = 0;
    if (strcmp(s, "19000101") < 0 || strcmp(s, today) > 0) return 0;
    int month = d[4] * 10 + d[5], day = d[6] * 10 + d[7];
    if (month < 1 || month > 12 || day < 1 || day > 31) return 0;
    if (day == 31 && (month == 2 || month == 4 || month == 6 || month == 9 || month == 11))
        return 0;
    if (month == 2 && day == 30) return 0;
    if (month == 2 && day == 29) {
        int y = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3];
        return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    }
    return 1;
}

static int id_shaped(const int *d, const char *today) {
    return is_province(d[0], d[1]) && birth_date_ok(d + 6, today);
}

/* GB 11643 check value of 17 digits: 0-9, or 10 for X */
static int id_check(const int *d) {
    int v = 0; /* int(first17, 13) mod 11 */
    for (int i = 0; i < 17; i++) v = (v * 13 + d[i]) % 11;
    return ((1 - 2 * v) % 11 + 11) % 11;
}

/* validate.resident_id_ok: 17 digits d[0..16] and the check character (0-9, or 10 for X) */
static int resident_id_ok(const int *d, int check, const char *today) {
    return id_shaped(d, today) && id_check(d) == check;
}

/* the USCC alphabet value of a character, or -1 */
static int uscc_value(ch c) {
    if (c >= '0' && c <= '9') return (int)(c - '0');
    static const char alphabet[] = "ABCDEFGHJKLMNPQRTUWXY";
    if (c < 'A' || c > 'Y') return -1;
    const char *p = strchr(alphabet, (int)c);
    return p == NULL ? -1 : 10 + (int)(p - alphabet);
}

/* validate.uscc_ok on 18 characters (digits and upper-case letters) */
static int uscc_ok(const ch *s) {
    static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    static const int org_weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    if (!((s[0] >= '1' && s[0] <= '9') || (s[0] >= 'A' && s[0] <= 'G') || s[0] == 'N' ||
          s[0] == 'Y'))
        return 0;
    for (int i = 2; i < 8; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    int a = (int)(s[2] - '0'), b = (int)(s[3] - '0');
    if (!is_province(a, b) && !(a == 1 && b == 0)) return 0;
    int total = 0, all_digits = 1;
    for (int i = 0; i < 17; i++) {
        int v = uscc_value(s[i]);
        if (v < 0) return 0;
        if (v >= 10) all_digits = 0;
        total += v * weights[i];
    }
    int check = (31 - total % 31) % 31;
    if (uscc_value(s[17]) != check) return 0;
    if (check >= 10) all_digits = 0;
    if (!all_digits) return 1;
    /* an all-digit code could be an 18-digit account number passing MOD 31 by chance: its
     * embedded organisation code must pass GB 11714 too */
    int org = 0;
    for (int i = 0; i < 8; i++) org += (int)(s[8 + i] - '0') * org_weights[i];
    int oc = (11 - org % 11) % 11;
    return oc != 10 && (int)(s[16] - '0') == oc;
}

static int mobile_segment(const int *d) {
    if (d[0] != 1) return 0;
    switch (d[1]) {
    case 3: case 8: return 1;
    case 4: return d[2] >= 5;
    case 5: return d[2] != 4;
    case 6: return d[2] == 2 || d[2] == 5 || d[2] == 6 || d[2] == 7;
    case 7: return d[2] <= 8;
    case 9: return d[2] != 4;
    default: return 0;
    }
}

static int landline_ok(const int *d, int n) {
    if (n < 10 || d[0] != 0) return 0;
    if (d[1] == 1 || d[1] == 2) {
        if (d[1] == 1 && d[2] != 0) return 0;
        return n - 3 == 8 && d[3] > 1;
    }
    return (n - 4 == 7 || n - 4 == 8) && d[4] > 1;
}

static int card_prefix(const int *d) {
    if (d[0] == 6) return d[1] == 2 || d[1] == 0 || d[1] == 5;
    if (d[0] == 4 || d[0] == 5 || d[0] == 2 || d[0] == 9) return 1;
    return d[0] == 3 && d[1] == 5;
}

static int luhn_ok(const int *d, int n) {
    int sum = 0;
    for (int i = n - 1, k = 0; i >= 0; i--, k++) {
        int x = d[i];
        if (k & 1) {
            x *= 2;
            if (x > 9) x -= 9;
        }
        sum += x;
    }
    return sum % 10 == 0;
}

/* detect._number on n (<= 19) digits: a kind, or -1; *skip = how many leading digits the
 * canonical value drops (+86 / 0086 mobile numbers) */
static int classify(const int *d, int n, const char *today, int *skip) {
    *skip = 0;
    if (n == 18) {
        if (resident_id_ok(d, d[17], today)) return K_RESIDENT_ID;
        ch s[18];
        for (int i = 0; i < 18; i++) s[i] = (ch)('0' + d[i]);
        if (uscc_ok(s)) return K_USCC;
        if (id_shaped(d, today)) return -1;
    } else if (n == 11) {
        if (d[0] == 1) return mobile_segment(d) ? K_MOBILE : -1;
        return landline_ok(d, n) ? K_LANDLINE : -1;
    } else if (n == 12) {
        return landline_ok(d, n) ? K_LANDLINE : -1;
    } else if (n == 13 && d[0] == 8 && d[1] == 6) {
        *skip = 2;
        return mobile_segment(d + 2) ? K_MOBILE : -1;
    } else if (n == 15 && d[0] == 0 && d[1] == 0 && d[2] == 8 && d[3] == 6) {
        *skip = 4;
        return mobile_segment(d + 4) ? K_MOBILE : -1;
    }
    if (n >= 16 && n <= 19 && card_prefix(d)) return luhn_ok(d, n) ? K_BANK_CARD : K_CARD_CANDIDATE;
    return -1;
}

/* --- character classes -------------------------------------------------------------------- */

static int is_digit(ch c) { return c >= '0' && c <= '9'; }
static int is_upper(ch c) { return c >= 'A' && c <= 'Z'; }
static int is_letter(ch c) { return is_upper(c) || (c >= 'a' && c <= 'z'); }
static int is_alnum(ch c) { return is_digit(c) || is_letter(c); }
static int is_x(ch c) { return c == 'X' || c == 'x'; }
/* [0-9A-HJ-NP-RTUW-Y]: the credit-code alphabet */
static int is_usc(ch c) { return uscc_value(c) >= 0; }
/* [A-HJ-NP-Z]: letters without I and O */
static int is_plate_letter(ch c) { return is_upper(c) && c != 'I' && c != 'O'; }
static int is_plate_char(ch c) { return is_digit(c) || is_plate_letter(c); }
/* [A-Za-z0-9._%+-]: an e-mail local part */
static int is_local(ch c) {
    return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
static int is_hex(ch c) { return is_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }
/* detect._escaped: t[i] follows an escape written out (\n, \r, \t, \b, \f) */
static int escaped(const ch *t, Py_ssize_t i) {
    if (i < 2 || t[i - 2] != '\\') return 0;
    ch e = t[i - 1];
    return e == 'n' || e == 'r' || e == 't' || e == 'b' || e == 'f';
}

/* Sets of BMP characters (word lists handed over by the Python modules), one bit each */
typedef unsigned char CharSet[0x10000 / 8];

static int in_set(const unsigned char *set, ch c) { return c < 0x10000 && (set[c >> 3] >> (c & 7) & 1); }

static int fill_set(unsigned char *set, PyObject *chars) {
    memset(set, 0, sizeof(CharSet));
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(chars); i++) {
        ch c = PyUnicode_READ_CHAR(chars, i);
        if (c >= 0x10000) {
            PyErr_SetString(PyExc_ValueError, "characters outside the BMP");
            return -1;
        }
        set[c >> 3] |= (unsigned char)(1 << (c & 7));
    }
    return 0;
}

static CharSet plate_province; /* detect.PLATE_PROVINCES, by configure_plates() */
static int plates_configured = 0;

/* --- output ------------------------------------------------------------------------------- */

typedef struct {
    PyObject *lists[K_COUNT + 1][4]; /* starts, ends, values, lines; then letters_uscc */
    Py_ssize_t line;                 /* the line being walked */
} Out;

static int append_ssize(PyObject *list, Py_ssize_t v) {
    PyObject *o = PyLong_FromSsize_t(v);
    if (o == NULL) return -1;
    int rc = PyList_Append(list, o);
    Py_DECREF(o);
    return rc;
}

/* append a hit; steals the reference to value */
static int add(Out *out, int k, Py_ssize_t start, Py_ssize_t end, PyObject *value) {
    if (value == NULL) return -1;
    int rc = PyList_Append(out->lists[k][2], value);
    Py_DECREF(value);
    if (rc < 0 || append_ssize(out->lists[k][0], start) < 0 ||
        append_ssize(out->lists[k][1], end) < 0 ||
        append_ssize(out->lists[k][3], out->line) < 0)
        return -1;
    return 0;
}

static PyObject *ascii_value(const int *d, int n, int x_check) {
    char buf[24];
    for (int i = 0; i < n; i++) buf[i] = (char)('0' + d[i]);
    if (x_check) buf[n++] = 'X';
    return PyUnicode_FromStringAndSize(buf, n);
}

/* [a, b) of ASCII characters, lower-cased (e-mail and IPv6 values) */
static PyObject *lower_value(const ch *t, Py_ssize_t a, Py_ssize_t b) {
    PyObject *value = PyUnicode_New(b - a, 127);
    if (value == NULL) return NULL;
    Py_UCS1 *v = PyUnicode_1BYTE_DATA(value);
    for (Py_ssize_t j = a; j < b; j++) v[j - a] = (Py_UCS1)(t[j] >= 'A' && t[j] <= 'Z' ? t[j] + 32 : t[j]);
    return value;
}

static PyObject *ucs4_value(const ch *s, Py_ssize_t n) {
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, s, n);
}

/* --- 1. digits ---------------------------------------------------------------------------- */

/* Add the kind of n digits (with an X check character if x) found at [start, end). */
static int add_number(Out *out, const int *d, int n, int x, Py_ssize_t start, Py_ssize_t end,
                      const char *today) {
    if (x) {
        /* an X check character belongs to an 18-character resident ID and nothing else */
        if (n != 17 || !resident_id_ok(d, 10, today)) return 0;
        return add(out, K_RESIDENT_ID, start, end, ascii_value(d, 17, 1));
    }
    int skip, k = classify(d, n, today, &skip);
    if (k < 0) return 0;
    return add(out, k, start, end, ascii_value(d + skip, n - skip, 0));
}

static int read_digits(const ch *t, Py_ssize_t from, Py_ssize_t n, int *d) {
    for (Py_ssize_t j = 0; j < n; j++) d[j] = (int)(t[from + j] - '0');
    return (int)n;
}

/* The `grp` alternative at the run [p, p + n0): up to 4 more groups of 3-8 digits after one
 * " " or "-", then a tail (" "/"-" and 1-2 digits, or an X), no digit or "@" after. Returns
 * the match end, or -1; part_end[] gets the end of each group (first run included),
 * *parts their number, *tail_end the end of the tail (or -1). */
static Py_ssize_t match_grouped(const ch *t, Py_ssize_t len, Py_ssize_t p, Py_ssize_t n0,
                                Py_ssize_t *part_start, Py_ssize_t *part_end, int *parts,
                                Py_ssize_t *tail_start, Py_ssize_t *tail_end) {
    if (n0 < 2 || n0 > 6) return -1;
    Py_ssize_t e = p + n0;
    int k = 0;
    part_start[0] = p;
    part_end[0] = e;
    while (k < 4 && e < len && (t[e] == ' ' || t[e] == '-')) {
        Py_ssize_t q = e + 1;
        while (q < len && is_digit(t[q])) q++;
        Py_ssize_t m = q - (e + 1);
        if (m < 3 || m > 8) break;
        k++;
        part_start[k] = e + 1;
        part_end[k] = q;
        e = q;
    }
    if (k == 0) return -1;
    /* the tail */
    *tail_start = *tail_end = -1;
    if (e < len && (t[e] == ' ' || t[e] == '-')) {
        Py_ssize_t q = e + 1;
        while (q < len && is_digit(t[q])) q++;
        Py_ssize_t m = q - (e + 1);
        if (m >= 1 && m <= 2 && !(q < len && t[q] == '@')) {
            *tail_start = e + 1;
            *tail_end = q;
        }
    } else if (e < len && is_x(t[e])) {
        if (!(e + 1 < len && (is_digit(t[e + 1]) || t[e + 1] == '@'))) {
            *tail_start = e;
            *tail_end = e + 1;
        }
    }
    if (*tail_end < 0 && e < len && t[e] == '@') {
        k--; /* the last group may not touch an "@": the pattern gives it back */
        if (k == 0) return -1;
    }
    *parts = k + 1;
    if (*tail_end >= 0) return *tail_end;
    return part_end[k];
}

/* detect._grouped: the longest prefix of the groups (at least 10 digits) that is a valid
 * identifier; a card-shaped number failing Luhn only when all groups are taken, and not
 * when give_back (the first group is given back instead: detect._give_back). Returns 1 if
 * something was added, 0 if not, -1 on error. */
static int add_grouped(Out *out, const ch *t, Py_ssize_t p, const Py_ssize_t *part_start,
                       const Py_ssize_t *part_end, int parts, Py_ssize_t tail_start,
                       Py_ssize_t tail_end, const char *today, int give_back) {
    Py_ssize_t ps[6], pe[6];
    int np = parts;
    for (int i = 0; i < parts; i++) ps[i] = part_start[i], pe[i] = part_end[i];
    int x = 0;
    if (tail_end >= 0) {
        if (is_x(t[tail_start])) {
            x = 1; /* the X sticks to the last group */
        } else {
            ps[np] = tail_start;
            pe[np] = tail_end;
            np++;
        }
    }
    for (int k = np; k > 1; k--) {
        int d[64], n = 0;
        for (int i = 0; i < k; i++) n += read_digits(t, ps[i], pe[i] - ps[i], d + n);
        int last_x = x && k == np;
        if (n + last_x < 10) return 0;
        if (n + last_x > 19) continue; /* too long for any kind */
        Py_ssize_t end = pe[k - 1] + last_x;
        if (last_x) {
            if (n == 17 && resident_id_ok(d, 10, today))
                return add(out, K_RESIDENT_ID, p, end, ascii_value(d, 17, 1)) < 0 ? -1 : 1;
            continue;
        }
        int skip, kind = classify(d, n, today, &skip);
        if (kind == K_CARD_CANDIDATE && k == np)
            return give_back ? 0 : add(out, kind, p, end, ascii_value(d, n, 0)) < 0 ? -1 : 1;
        if (kind >= 0 && kind != K_CARD_CANDIDATE) {
            if (kind == K_MOBILE) skip = n - 11;
            return add(out, kind, p, end, ascii_value(d + skip, n - skip, 0)) < 0 ? -1 : 1;
        }
    }
    return 0;
}

/* The IPv4 alternative at the run [p, p + n0): four runs of 1-3 digits joined by ".", no
 * digit and no "." and digit after. Returns the match end, or -1. */
static Py_ssize_t match_ipv4(const ch *t, Py_ssize_t len, Py_ssize_t p, Py_ssize_t n0) {
    if (n0 > 3) return -1;
    Py_ssize_t e = p + n0;
    for (int i = 0; i < 3; i++) {
        if (e >= len || t[e] != '.') return -1;
        Py_ssize_t q = e + 1;
        while (q < len && is_digit(t[q])) q++;
        if (q - (e + 1) < 1 || q - (e + 1) > 3) return -1;
        e = q;
    }
    if (e + 1 < len && t[e] == '.' && is_digit(t[e + 1])) return -1;
    return e;
}


/* detect._ipv4_bounded: no ASCII letter or digit before [p, end) but a glued "IP" or an
 * escape, and at most one colon in the run of hex digits and colons on either side */
static int ipv4_bounded(const ch *t, Py_ssize_t len, Py_ssize_t p, Py_ssize_t end) {
    if (p > 0 && is_alnum(t[p - 1])) {
        int ip = p >= 2 && (t[p - 2] == 'I' || t[p - 2] == 'i') && (t[p - 1] == 'P' || t[p - 1] == 'p');
        if (!ip && !escaped(t, p)) return 0;
    }
    int colons = 0;
    for (Py_ssize_t i = p - 1; i >= 0 && (is_hex(t[i]) || t[i] == ':') && colons < 2; i--)
        colons += t[i] == ':';
    if (colons >= 2) return 0;
    colons = 0;
    for (Py_ssize_t i = end; i < len && (is_hex(t[i]) || t[i] == ':') && colons < 2; i++)
        colons += t[i] == ':';
    return colons < 2;
}

/* ipaddress.IPv4Address on [a, b): four decimal octets, no leading zeros, up to 255 */
static int ipv4_text_ok(const ch *t, Py_ssize_t a, Py_ssize_t b) {
    int octets = 0;
    for (Py_ssize_t i = a; i <= b; octets++) {
        Py_ssize_t q = i;
        int v = 0;
        while (q < b && t[q] != '.') {
            if (!is_digit(t[q])) return 0;
            v = v * 10 + (int)(t[q++] - '0');
            if (q - i > 3) return 0;
        }
        if (q == i || v > 255 || (q - i > 1 && t[i] == '0')) return 0;
        i = q + 1;
    }
    return octets == 4;
}

/* The digit pass at p, the start of a run of digits (t[p - 1] is no digit): where the pass
 * resumes (the end of the match, or of the run), or -1 on error. */
static Py_ssize_t digits_at(Out *out, PyObject *text, const ch *t, Py_ssize_t len, Py_ssize_t p,
                            const char *today) {
    int d[24];
    Py_ssize_t i = p;
    while (i < len && is_digit(t[i])) i++;
    Py_ssize_t n = i - p; /* the maximal run [p, i) */
    /* after an "@" (a host) or a decimal point (a "." after a digit) */
    if (p > 0 && (t[p - 1] == '@' || (t[p - 1] == '.' && p > 1 && is_digit(t[p - 2])))) return i;
    ch next = i < len ? t[i] : 0;
    /* usc: a digit, [0-9A-HJ-NP-RTUW-Y], 6 digits, 10 of the alphabet, no [0-9A-Za-z@] */
    if (n < 18 && p + 18 <= len) {
        int ok = is_usc(t[p + 1]) && !(p + 18 < len && (is_alnum(t[p + 18]) || t[p + 18] == '@'));
        for (Py_ssize_t j = p + 2; ok && j < p + 8; j++) ok = is_digit(t[j]);
        for (Py_ssize_t j = p + 8; ok && j < p + 18; j++) ok = is_usc(t[j]);
        if (ok) {
            Py_ssize_t end = p + 18;
            if (n == 17) { /* 17 digits and a letter: the run's rules (_number) */
                read_digits(t, p, 17, d);
                if (t[p + 17] == 'X') {
                    if (add_number(out, d, 17, 1, p, end, today) < 0) return -1;
                } else if (uscc_ok(t + p)) {
                    if (add(out, K_USCC, p, end, PyUnicode_Substring(text, p, end)) < 0) return -1;
                }
            } else if ((p == 0 || !is_alnum(t[p - 1]) || escaped(t, p)) && uscc_ok(t + p)) {
                if (add(out, K_USCC, p, end, PyUnicode_Substring(text, p, end)) < 0) return -1;
            }
            return end;
        }
    } else if (n == 18 && !(next && (is_alnum(next) || next == '@'))) {
        /* the usc alternative on 18 digits: classified like a run of 18 */
        read_digits(t, p, 18, d);
        return add_number(out, d, 18, 0, p, i, today) < 0 ? -1 : i;
    }
    /* run: 10-19 digits, an optional X, no digit or "@" after */
    if (n >= 10 && n <= 19 && next != '@') {
        int x = is_x(next) && !(i + 1 < len && (is_digit(t[i + 1]) || t[i + 1] == '@'));
        read_digits(t, p, n, d);
        Py_ssize_t end = i + x;
        return add_number(out, d, (int)n, x, p, end, today) < 0 ? -1 : end;
    }
    Py_ssize_t ps[6], pe[6], ts, te;
    int parts;
    Py_ssize_t end = match_grouped(t, len, p, n, ps, pe, &parts, &ts, &te);
    if (end >= 0) {
        /* detect._give_back: a first group of at most two digits, or a separator unlike the
         * next one (after the second group: a third group or a tail of digits) */
        int next_sep = parts > 2 || (te >= 0 && !is_x(t[ts]));
        int give_back = pe[0] - p <= 2 || (next_sep && t[pe[1]] != t[pe[0]]);
        int rc = add_grouped(out, t, p, ps, pe, parts, ts, te, today, give_back);
        if (rc < 0) return -1;
        return rc == 0 && give_back ? ps[1] : end;
    }
    end = match_ipv4(t, len, p, n);
    if (end < 0) return i;
    if (ipv4_bounded(t, len, p, end) && ipv4_text_ok(t, p, end) &&
        add(out, K_IPV4, p, end, PyUnicode_Substring(text, p, end)) < 0)
        return -1;
    return end;
}

/* --- 2. letters --------------------------------------------------------------------------- */

/* The letter pass at p, an upper-case letter after no ASCII letter or digit: the end of its
 * token, or -1 on error. A credit code found here goes to out->letters_uscc (the pure-Python
 * passes find it after every credit code of the digit pass). */
static Py_ssize_t letters_at(Out *out, PyObject *text, const ch *t, Py_ssize_t len,
                             Py_ssize_t p) {
    Py_ssize_t i = p;
    while (i < len && is_alnum(t[i])) i++;
    Py_ssize_t n = i - p; /* the token [p, i), upper-case first */
    const ch *s = t + p;
    if (n == 18) { /* a credit code starting with a letter */
        int ok = is_usc(s[1]);
        for (int j = 2; ok && j < 8; j++) ok = is_digit(s[j]);
        for (int j = 8; ok && j < 18; j++) ok = is_usc(s[j]);
        if (ok && uscc_ok(s) && add(out, K_LETTERS_USCC, p, i, PyUnicode_Substring(text, p, i)) < 0)
            return -1;
        return i;
    }
    if (n < 8 || n > 12) return i;
    /* [A-HJ-NP-Z0-9]? then 7-10 digits */
    int digits = 1;
    for (Py_ssize_t j = 2; digits && j < n; j++) digits = is_digit(s[j]);
    if (!digits) return i;
    int second_digit = is_digit(s[1]);
    if (!second_digit && (!is_plate_letter(s[1]) || n < 9)) return i;
    /* detect._document_kind */
    int k = -1;
    ch first = s[0];
    if (n == 9 && (first == 'E' || first == 'G') && (second_digit || first == 'E'))
        k = K_PASSPORT;
    else if (n == 9 && (first == 'C' || first == 'W') && (second_digit || first == 'C'))
        k = K_HK_MACAU_PERMIT;
    else if ((n == 9 || n == 11) && (first == 'H' || first == 'M') && second_digit)
        k = K_HK_MACAU_PERMIT;
    if (k >= 0 && add(out, k, p, i, PyUnicode_Substring(text, p, i)) < 0) return -1;
    return i;
}

/* --- 3. plates ---------------------------------------------------------------------------- */

static int is_plate_special(ch c) {
    return c == 0x6302 /* 挂 */ || c == 0x5B66 /* 学 */ || c == 0x8B66 /* 警 */ ||
           c == 0x6E2F /* 港 */ || c == 0x6FB3 /* 澳 */;
}
static int is_plate_separator(ch c) {
    return c == '-' || c == 0xB7 /* · */ || c == 0x2022 /* • */ || c == ' ' || c == '.';
}

/* The plate pass at p, a province character: where it resumes (after a match, or p + 1), or
 * -1 on error. */
static Py_ssize_t plate_at(Out *out, const ch *t, Py_ssize_t len, Py_ssize_t p) {
    if (p + 6 >= len || !is_plate_letter(t[p + 1])) return p + 1;
    Py_ssize_t b = p + 2 + is_plate_separator(t[p + 2]); /* the body */
    Py_ssize_t c = 0;
    while (b + c < len && c < 7 && is_plate_char(t[b + c])) c++;
    Py_ssize_t body = -1;
    if (c == 4 && b + 4 < len && is_plate_special(t[b + 4]) && !(b + 5 < len && is_alnum(t[b + 5])))
        body = 5;
    else if ((c == 5 || c == 6) && !(b + c < len && is_alnum(t[b + c])))
        body = c;
    if (body < 0) return p + 1;
    const ch *s = t + b;
    int ok = 1;
    if (body == 6) { /* new energy: [DF][A-HJ-NP-Z0-9][0-9]{4} or [0-9]{5}[DF] */
        int a = (s[0] == 'D' || s[0] == 'F');
        for (int j = 2; a && j < 6; j++) a = is_digit(s[j]);
        int z = (s[5] == 'D' || s[5] == 'F');
        for (int j = 0; z && j < 5; j++) z = is_digit(s[j]);
        ok = a || z;
    } else { /* at most 2 letters (a 挂/学/警/港/澳 counts as one: str.isalpha) */
        int letters = 0;
        for (int j = 0; j < 5; j++) letters += !is_digit(s[j]);
        ok = letters <= 2;
    }
    if (ok) {
        ch v[8];
        v[0] = t[p];
        v[1] = t[p + 1];
        for (Py_ssize_t j = 0; j < body; j++) v[2 + j] = s[j];
        if (add(out, K_PLATE, p, b + body, ucs4_value(v, 2 + body)) < 0) return -1;
    }
    return b + body;
}

/* --- 4. e-mail ---------------------------------------------------------------------------- */

static int is_label_char(ch c) { return is_alnum(c) || c == '-'; }

/* The e-mail pass at a, an "@": where the pass resumes (the end of a match, or `resume` as
 * it was), or -1 on error. */
static Py_ssize_t email_at(Out *out, const ch *t, Py_ssize_t len, Py_ssize_t a,
                           Py_ssize_t resume) {
    Py_ssize_t s0 = a;
    while (s0 > 0 && is_local(t[s0 - 1])) s0--;
    if (s0 < a && escaped(t, s0 + 1)) s0++; /* "\\nzhang@…": the run starts after the escape */
    if (s0 == a || a - s0 > 64 || s0 < resume) return resume;
    /* host: labels each followed by ".", then the furthest letters-only TLD (2-24) */
    Py_ssize_t pos = a + 1, end = -1;
    for (int seg = 0;; seg++) {
        Py_ssize_t q = pos;
        int letters = 1;
        while (q < len && is_label_char(t[q])) {
            letters &= is_letter(t[q]);
            q++;
        }
        Py_ssize_t n = q - pos;
        if (seg >= 1 && letters && n >= 2 && n <= 24) end = q;
        int label = n >= 1 && n <= 63 && is_alnum(t[pos]) && is_alnum(t[q - 1]);
        if (!label || q >= len || t[q] != '.') break;
        pos = q + 1;
    }
    if (end < 0) return resume;
    /* the local part may not start or end with "." nor hold ".." */
    int ok = t[s0] != '.' && t[a - 1] != '.';
    for (Py_ssize_t j = s0 + 1; ok && j < a; j++) ok = !(t[j] == '.' && t[j - 1] == '.');
    if (!ok) return end;
    return add(out, K_EMAIL, s0, end, lower_value(t, s0, end)) < 0 ? -1 : end;
}

/* --- 5. IPv6 ------------------------------------------------------------------------------ */

static int is_v6(ch c) { return is_hex(c) || c == ':' || c == '.'; }

/* detect's filter ("::", seven colons, or an IPv4 tail) and ipaddress.IPv6Address's parser
 * (Python 3.11) on [p, e), characters of [0-9A-Fa-f:.] (at most 45) */
static int ipv6_ok(const ch *t, Py_ssize_t p, Py_ssize_t e) {
    int colons = 0, double_colon = 0, dot = 0;
    for (Py_ssize_t i = p; i < e; i++) {
        if (t[i] == ':') {
            colons++;
            double_colon |= i > p && t[i - 1] == ':';
        } else if (t[i] == '.') {
            dot = 1;
        }
    }
    if (!double_colon && colons != 7 && !dot) return 0;
    /* the parts between colons: empty, or 1-4 hex digits (valid), or neither */
    int empty[48], valid[48], m = 0;
    Py_ssize_t a = p;
    for (Py_ssize_t i = p; i <= e; i++) {
        if (i < e && t[i] != ':') continue;
        int hex = 1;
        for (Py_ssize_t j = a; j < i; j++) hex &= is_hex(t[j]);
        empty[m] = i == a;
        valid[m] = hex && i > a && i - a <= 4;
        if (i == e && m >= 2) { /* the last part: an IPv4 tail gives two hextets */
            int has_dot = 0;
            for (Py_ssize_t j = a; j < i; j++) has_dot |= t[j] == '.';
            if (has_dot) {
                if (!ipv4_text_ok(t, a, i)) return 0;
                empty[m] = 0, valid[m] = 1, m++;
                empty[m] = 0, valid[m] = 1;
            }
        }
        m++;
        a = i + 1;
    }
    if (m < 3 || m > 9) return 0;
    int skip = -1;
    for (int i = 1; i < m - 1; i++) {
        if (!empty[i]) continue;
        if (skip >= 0) return 0; /* at most one "::" */
        skip = i;
    }
    int hi, lo;
    if (skip >= 0) {
        hi = skip;
        lo = m - skip - 1;
        if (empty[0] && --hi) return 0;     /* a leading ":" only as part of "::" */
        if (empty[m - 1] && --lo) return 0; /* a trailing one the same */
        if (8 - (hi + lo) < 1) return 0;
    } else {
        if (m != 8 || empty[0] || empty[m - 1]) return 0;
        hi = m;
        lo = 0;
    }
    for (int i = 0; i < hi; i++)
        if (!valid[i]) return 0;
    for (int i = m - lo; i < m; i++)
        if (!valid[i]) return 0;
    return 1;
}

/* The IPv6 pass at p, a hex digit or ":" after none of [0-9A-Za-z:.]: the end of its run of
 * [0-9A-Fa-f:.], or -1 on error. The run is `_IPV6`'s match if it holds two colons, is at
 * most 45 long and no letter follows; an address if ipv6_ok. */
static Py_ssize_t ipv6_at(Out *out, const ch *t, Py_ssize_t len, Py_ssize_t p) {
    Py_ssize_t i = p;
    int colons = 0;
    while (i < len && is_v6(t[i])) colons += t[i++] == ':';
    if (colons < 2 || i - p > 45 || (i < len && is_letter(t[i]))) return i;
    Py_ssize_t e = i; /* without trailing dots (a full stop) and a single trailing colon */
    while (e > p && t[e - 1] == '.') e--;
    if (e > p && t[e - 1] == ':' && !(e - 1 > p && t[e - 2] == ':')) e--;
    if (!ipv6_ok(t, p, e)) return i;
    return add(out, K_IPV6, p, e, lower_value(t, p, e)) < 0 ? -1 : i;
}

/* Whether the IPv6 pass starts at i, a hex digit or ":" (the look-behinds of _IPV6): after
 * none of [0-9A-Za-z:.]; or after a label - a ":" or "." after none of [0-9A-Fa-f:.],
 * "v6:", a glued "IP" - or an escape; a ":" only as "::" (not ":::"). */
static int v6_start(const ch *t, Py_ssize_t len, Py_ssize_t i) {
    if (t[i] == ':' && !(i + 1 < len && t[i + 1] == ':' && !(i + 2 < len && t[i + 2] == ':')))
        return 0;
    ch prev = i > 0 ? t[i - 1] : 0;
    if (!(is_alnum(prev) || prev == ':' || prev == '.')) return 1;
    if (i < 2) return 0;
    ch prev2 = t[i - 2];
    if ((prev == ':' || prev == '.') && !(is_hex(prev2) || prev2 == ':' || prev2 == '.'))
        return 1;
    if (prev == ':' && prev2 == '6' && i >= 3 && (t[i - 3] == 'v' || t[i - 3] == 'V')) return 1;
    if ((prev == 'P' || prev == 'p') && (prev2 == 'I' || prev2 == 'i')) return 1;
    return escaped(t, i);
}

/* --- the walk ----------------------------------------------------------------------------- */

enum { A_NEWLINE = 1, A_DIGIT = 2, A_UPPER = 4, A_AT = 8, A_V6 = 16 };
static unsigned char ascii_class[128];

static void init_ascii_class(void) {
    for (int c = 0; c < 128; c++) {
        unsigned char f = 0;
        if (c == '\n') f |= A_NEWLINE;
        if (is_digit((ch)c)) f |= A_DIGIT;
        if (is_upper((ch)c)) f |= A_UPPER;
        if (c == '@') f |= A_AT;
        if (is_hex((ch)c) || c == ':') f |= A_V6;
        ascii_class[c] = f;
    }
}

/* One walk over the text: each pass starts where its first character is, and resumes where
 * its pattern's finditer would (after a match). Every hit starts on the line being walked. */
static int walk(Out *out, PyObject *text, const ch *t, Py_ssize_t len,
                const char *today) {
    Py_ssize_t r_digits = 0, r_letters = 0, r_plate = 0, r_email = 0, r_v6 = 0;
    out->line = 0;
    for (Py_ssize_t i = 0; i < len; i++) {
        ch c = t[i];
        if (c >= 128) {
            if (i >= r_plate && in_set(plate_province, c)) {
                r_plate = plate_at(out, t, len, i);
                if (r_plate < 0) return -1;
            }
            continue;
        }
        unsigned char f = ascii_class[c];
        if (f == 0) continue;
        if (f & A_NEWLINE) {
            out->line++;
            continue;
        }
        ch prev = i > 0 ? t[i - 1] : 0;
        if ((f & A_DIGIT) && i >= r_digits && !is_digit(prev)) {
            r_digits = digits_at(out, text, t, len, i, today);
            if (r_digits < 0) return -1;
        }
        if ((f & A_UPPER) && i >= r_letters && (!is_alnum(prev) || escaped(t, i))) {
            r_letters = letters_at(out, text, t, len, i);
            if (r_letters < 0) return -1;
        }
        if (f & A_AT) {
            r_email = email_at(out, t, len, i, r_email);
            if (r_email < 0) return -1;
        }
        if ((f & A_V6) && i >= r_v6 && v6_start(t, len, i)) {
            r_v6 = ipv6_at(out, t, len, i);
            if (r_v6 < 0) return -1;
        }
    }
    return 0;
}

/* --- the module --------------------------------------------------------------------------- */

/* scan(text, today, out): out is a tuple of (starts, ends, values, lines) list quadruples in
 * the order resident_id, uscc, mobile, landline, bank_card, card candidate, passport,
 * hk_macau_permit, plate, email, ipv4, ipv6. Returns None. */
static PyObject *scan(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *text, *out_tuple;
    const char *today;
    if (!PyArg_ParseTuple(args, "UsO!", &text, &today, &PyTuple_Type, &out_tuple))
        return NULL;
    if (strlen(today) != 8) {
        PyErr_SetString(PyExc_ValueError, "today must be YYYYMMDD");
        return NULL;
    }
    if (!plates_configured) {
        PyErr_SetString(PyExc_RuntimeError, "configure_plates() was not called");
        return NULL;
    }
    if (PyTuple_GET_SIZE(out_tuple) != K_COUNT) {
        PyErr_SetString(PyExc_ValueError, "out must hold one quadruple per kind");
        return NULL;
    }
    Out out;
    for (int k = 0; k < K_COUNT; k++) {
        PyObject *triple = PyTuple_GET_ITEM(out_tuple, k);
        if (!PyTuple_Check(triple) || PyTuple_GET_SIZE(triple) != 4) {
            PyErr_SetString(PyExc_ValueError,
                            "out must hold (starts, ends, values, lines) quadruples");
            return NULL;
        }
        for (int j = 0; j < 4; j++) {
            PyObject *list = PyTuple_GET_ITEM(triple, j);
            if (!PyList_Check(list)) {
                PyErr_SetString(PyExc_TypeError, "starts, ends, values and lines must be lists");
                return NULL;
            }
            out.lists[k][j] = list;
        }
    }
    PyObject *letters_uscc[4] = {NULL, NULL, NULL, NULL};
    for (int j = 0; j < 4; j++) {
        letters_uscc[j] = out.lists[K_LETTERS_USCC][j] = PyList_New(0);
        if (letters_uscc[j] == NULL) goto done;
    }
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    ch *t = PyUnicode_AsUCS4Copy(text);
    if (t == NULL) goto done;
    int rc = walk(&out, text, t, len, today);
    PyMem_Free(t);
    for (int j = 0; rc == 0 && j < 4; j++) { /* after the digit pass's credit codes */
        PyObject *to = out.lists[K_USCC][j];
        rc = PyList_SetSlice(to, PyList_GET_SIZE(to), PyList_GET_SIZE(to), letters_uscc[j]);
    }
    for (int j = 0; j < 4; j++) Py_DECREF(letters_uscc[j]);
    if (rc < 0) return NULL;
    Py_RETURN_NONE;
done:
    for (int j = 0; j < 4; j++) Py_XDECREF(letters_uscc[j]);
    return NULL;
}

static int hex_value(ch c) {
    if (c >= '0' && c <= '9') return (int)(c - '0');
    if (c >= 'A' && c <= 'F') return (int)(c - 'A' + 10);
    if (c >= 'a' && c <= 'f') return (int)(c - 'a' + 10);
    return -1;
}

/* detect._unescape over t: each \uXXXX of a non-ASCII, non-surrogate character becomes five
 * U+200B and the character (left to right, an escape's six characters consumed whatever
 * its value, as re.sub does); returns whether any was decoded */
static int unescape(ch *t, Py_ssize_t len) {
    int any = 0;
    for (Py_ssize_t i = 0; i + 5 < len; i++) {
        if (t[i] != '\\' || t[i + 1] != 'u') continue;
        int code = 0, j = 2;
        for (; j < 6; j++) {
            int v = hex_value(t[i + j]);
            if (v < 0) break;
            code = code * 16 + v;
        }
        if (j < 6) continue;
        if (code >= 0x80 && !(code >= 0xD800 && code <= 0xDFFF)) {
            for (int k = 0; k < 5; k++) t[i + k] = 0x200B;
            t[i + 5] = (ch)code;
            any = 1;
        }
        i += 5;
    }
    return any;
}

/* normalise(text): detect.normalise - \uXXXX escapes decoded (unescape), then full-width
 * forms (U+FF01-FF5E) to ASCII and U+3000 to a space, one character for one, if a
 * full-width digit, letter or "@" is in the text; the text itself if neither applies. */
static PyObject *normalise(PyObject *self, PyObject *arg) {
    (void)self;
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "normalise() takes a str");
        return NULL;
    }
    int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    Py_ssize_t len = PyUnicode_GET_LENGTH(arg);
    int escapes = 0;
    for (Py_ssize_t i = 0; i + 1 < len && !escapes; i++)
        escapes = PyUnicode_READ(kind, data, i) == '\\' && PyUnicode_READ(kind, data, i + 1) == 'u';
    ch *t = NULL;
    if (escapes) {
        t = PyUnicode_AsUCS4Copy(arg);
        if (t == NULL) return NULL;
        if (!unescape(t, len)) {
            PyMem_Free(t);
            t = NULL;
        }
    }
    int found = 0;
    if (t != NULL) {
        for (Py_ssize_t i = 0; i < len && !found; i++) {
            ch c = t[i];
            found = (c >= 0xFF10 && c <= 0xFF19) || (c >= 0xFF20 && c <= 0xFF3A) ||
                    (c >= 0xFF41 && c <= 0xFF5A);
        }
    } else if (kind != PyUnicode_1BYTE_KIND) {
        for (Py_ssize_t i = 0; i < len && !found; i++) {
            ch c = PyUnicode_READ(kind, data, i);
            found = (c >= 0xFF10 && c <= 0xFF19) || (c >= 0xFF20 && c <= 0xFF3A) ||
                    (c >= 0xFF41 && c <= 0xFF5A);
        }
    }
    if (!found && t == NULL) return Py_NewRef(arg);
    if (t == NULL) t = PyUnicode_AsUCS4Copy(arg);
    if (t == NULL) return NULL;
    for (Py_ssize_t i = 0; found && i < len; i++) {
        if (t[i] >= 0xFF01 && t[i] <= 0xFF5E)
            t[i] -= 0xFEE0;
        else if (t[i] == 0x3000)
            t[i] = ' ';
    }
    PyObject *result = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, t, len);
    PyMem_Free(t);
    return result;
}

/* lengths(values): (the longest value's length, the number of empty values) of a sequence
 * of str, as max(map(len, values)) and values.count("") */
static PyObject *lengths(PyObject *self, PyObject *arg) {
    (void)self;
    PyObject *seq = PySequence_Fast(arg, "lengths() takes a sequence of str");
    if (seq == NULL) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq), longest = 0, empty = 0;
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!PyUnicode_Check(items[i])) {
            Py_DECREF(seq);
            PyErr_SetString(PyExc_TypeError, "lengths() takes a sequence of str");
            return NULL;
        }
        Py_ssize_t m = PyUnicode_GET_LENGTH(items[i]);
        if (m > longest) longest = m;
        empty += m == 0;
    }
    Py_DECREF(seq);
    return Py_BuildValue("(nn)", longest, empty);
}

/* --- column statistics (columns.py) -------------------------------------------------------
 *
 * The value-shape statistics of columns.scan_column, line by line, as its patterns' findall
 * would count them: a person name is a whole line (_NAME_VALUE), an address a line with an
 * administrative unit followed within 40 characters by a street-level one (_ADDRESS_VALUE:
 * at most one match per line, as the match runs to the end of the line), a health line one
 * holding a medical term (_HEALTH_VALUE, the same). The word lists are columns.py's, handed
 * over once by configure(). */

typedef struct {
    ch *chars;           /* the tokens, one after another */
    Py_ssize_t *offsets; /* token i is chars[offsets[i] .. offsets[i + 1]) */
    Py_ssize_t n;
    CharSet first; /* first characters */
} Tokens;

static Tokens admin_units, street_units, health_terms, compound_surnames;
static CharSet single_surname, name_suffix;
static int configured = 0;

static int fill_tokens(Tokens *tokens, PyObject *seq_obj) {
    PyObject *seq = PySequence_Fast(seq_obj, "a sequence of str");
    if (seq == NULL) return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq), total = 0;
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!PyUnicode_Check(items[i]) || PyUnicode_GET_LENGTH(items[i]) == 0) {
            Py_DECREF(seq);
            PyErr_SetString(PyExc_TypeError, "tokens must be non-empty str");
            return -1;
        }
        total += PyUnicode_GET_LENGTH(items[i]);
    }
    ch *chars = PyMem_Malloc(sizeof(ch) * (size_t)(total + 1));
    Py_ssize_t *offsets = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(n + 1));
    if (chars == NULL || offsets == NULL) {
        PyMem_Free(chars);
        PyMem_Free(offsets);
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    memset(tokens->first, 0, sizeof tokens->first);
    Py_ssize_t at = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        offsets[i] = at;
        for (Py_ssize_t j = 0; j < PyUnicode_GET_LENGTH(items[i]); j++)
            chars[at++] = PyUnicode_READ_CHAR(items[i], j);
        ch c = chars[offsets[i]];
        if (c < 0x10000) tokens->first[c >> 3] |= (unsigned char)(1 << (c & 7));
    }
    offsets[n] = at;
    Py_DECREF(seq);
    PyMem_Free(tokens->chars);
    PyMem_Free(tokens->offsets);
    tokens->chars = chars;
    tokens->offsets = offsets;
    tokens->n = n;
    return 0;
}

/* the length of the first token starting at t[p] and ending by `end`, or 0 */
static Py_ssize_t token_at(const Tokens *tokens, const ch *t, Py_ssize_t p, Py_ssize_t end) {
    if (!in_set(tokens->first, t[p])) return 0;
    for (Py_ssize_t i = 0; i < tokens->n; i++) {
        Py_ssize_t a = tokens->offsets[i], m = tokens->offsets[i + 1] - a;
        if (m > end - p) continue;
        Py_ssize_t j = 0;
        while (j < m && t[p + j] == tokens->chars[a + j]) j++;
        if (j == m) return m;
    }
    return 0;
}

static int is_cjk(ch c) { return c >= 0x4E00 && c <= 0x9FFF; }

/* _NAME_VALUE on the line [a, b) */
static int name_line(const ch *t, Py_ssize_t a, Py_ssize_t b) {
    Py_ssize_t n = b - a;
    if (n < 2 || n > 4 || in_set(name_suffix, t[b - 1])) return 0;
    for (Py_ssize_t i = 0; i < compound_surnames.n; i++) {
        Py_ssize_t o = compound_surnames.offsets[i], m = compound_surnames.offsets[i + 1] - o;
        if (n - m < 1 || n - m > 2) continue;
        Py_ssize_t j = 0;
        while (j < m && t[a + j] == compound_surnames.chars[o + j]) j++;
        if (j < m) continue;
        int ok = 1;
        for (Py_ssize_t k = a + m; ok && k < b; k++) ok = is_cjk(t[k]);
        if (ok) return 1;
    }
    if (n > 3 || !in_set(single_surname, t[a])) return 0;
    for (Py_ssize_t k = a + 1; k < b; k++)
        if (!is_cjk(t[k])) return 0;
    return 1;
}

/* _ADDRESS_VALUE on the line [a, b): an administrative unit, then within 40 characters the
 * start of a street-level unit */
static int address_line(const ch *t, Py_ssize_t a, Py_ssize_t b) {
    for (Py_ssize_t i = a; i < b; i++) {
        Py_ssize_t m = token_at(&admin_units, t, i, b);
        if (m == 0) continue;
        Py_ssize_t j = i + m;
        for (Py_ssize_t k = j; k < b && k <= j + 40; k++)
            if (token_at(&street_units, t, k, b)) return 1;
    }
    return 0;
}

static int health_line(const ch *t, Py_ssize_t a, Py_ssize_t b) {
    for (Py_ssize_t i = a; i < b; i++)
        if (token_at(&health_terms, t, i, b)) return 1;
    return 0;
}

/* configure_plates(provinces): detect.PLATE_PROVINCES */
static PyObject *configure_plates(PyObject *self, PyObject *arg) {
    (void)self;
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "configure_plates() takes a str");
        return NULL;
    }
    plates_configured = 0;
    if (fill_set(plate_province, arg) < 0) return NULL;
    plates_configured = 1;
    Py_RETURN_NONE;
}

/* configure(single_surnames, compound_surnames, name_suffixes, admin_units, street_units,
 * health_terms): the word lists of columns.py */
static PyObject *configure(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *singles, *compounds, *suffixes, *admin, *street, *health;
    if (!PyArg_ParseTuple(args, "UOUOOO", &singles, &compounds, &suffixes, &admin, &street,
                          &health))
        return NULL;
    configured = 0;
    if (fill_set(single_surname, singles) < 0 || fill_set(name_suffix, suffixes) < 0 ||
        fill_tokens(&compound_surnames, compounds) < 0 || fill_tokens(&admin_units, admin) < 0 ||
        fill_tokens(&street_units, street) < 0 || fill_tokens(&health_terms, health) < 0)
        return NULL;
    configured = 1;
    Py_RETURN_NONE;
}

/* line_stats(text, names, addresses) -> (name lines, address count, the first 10 address
 * lines, health count); names and addresses say whether to look for them at all */
static PyObject *line_stats(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *text;
    int want_names, want_addresses;
    if (!PyArg_ParseTuple(args, "Upp", &text, &want_names, &want_addresses)) return NULL;
    if (!configured) {
        PyErr_SetString(PyExc_RuntimeError, "configure() was not called");
        return NULL;
    }
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    ch *t = PyUnicode_AsUCS4Copy(text);
    if (t == NULL) return NULL;
    PyObject *names = PyList_New(0), *addresses = PyList_New(0);
    Py_ssize_t n_addresses = 0, n_health = 0;
    if (names == NULL || addresses == NULL) goto fail;
    for (Py_ssize_t a = 0; a <= len;) {
        Py_ssize_t b = a;
        while (b < len && t[b] != '\n') b++;
        if (want_names && name_line(t, a, b)) {
            PyObject *line = PyUnicode_Substring(text, a, b);
            if (line == NULL || PyList_Append(names, line) < 0) {
                Py_XDECREF(line);
                goto fail;
            }
            Py_DECREF(line);
        }
        if (want_addresses && address_line(t, a, b)) {
            if (++n_addresses <= 10) {
                PyObject *line = PyUnicode_Substring(text, a, b);
                if (line == NULL || PyList_Append(addresses, line) < 0) {
                    Py_XDECREF(line);
                    goto fail;
                }
                Py_DECREF(line);
            }
        }
        n_health += health_line(t, a, b);
        a = b + 1;
    }
    PyMem_Free(t);
    return Py_BuildValue("(NnNn)", names, n_addresses, addresses, n_health);
fail:
    PyMem_Free(t);
    Py_XDECREF(names);
    Py_XDECREF(addresses);
    return NULL;
}

/* --- CSV to columns (parse.py) ------------------------------------------------------------
 *
 * csv.reader's state machine for the dialect parse.csv_rows uses (quote '"', doubled quotes,
 * no escape character, strict off), over a whole decoded chunk split into lines as
 * io.StringIO(text, newline="") splits it, with the records transposed into columns on the
 * way (short records padded with "", as itertools.zip_longest does) and blank records
 * dropped. Why by hand: csv.reader builds a list per record and the transposition another
 * object per cell; at the sizes screened this was a fifth of the time. Where csv.reader
 * would raise (a field over the field size limit) or the columns are too many, it returns
 * None and the caller parses with csv.reader, which raises the error.
 * tests/unit/screening/test_scan_native.py compares both on generated CSV. */

enum { S_START_RECORD, S_START_FIELD, S_IN_FIELD, S_IN_QUOTED_FIELD, S_QUOTE_IN_QUOTED, S_EAT_CRNL };
#define C_EOL ((ch)0xFFFFFFFF)

typedef struct {
    ch *buf; /* the field being read, character by character */
    Py_ssize_t len, cap, limit;
    PyObject *columns; /* list of lists */
    PyObject *empty;
    Py_ssize_t records, max_columns;
    Py_ssize_t field; /* fields so far in the record being read */
    int skipping, over; /* skipping: the header record; over: a limit was passed */
} Csv;

static int csv_add_char(Csv *c, ch x) {
    if (c->len >= c->limit) {
        c->over = 1;
        return -1;
    }
    if (c->len == c->cap) {
        Py_ssize_t cap = c->cap ? c->cap * 2 : 256;
        ch *buf = PyMem_Realloc(c->buf, sizeof(ch) * (size_t)cap);
        if (buf == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        c->buf = buf;
        c->cap = cap;
    }
    c->buf[c->len++] = x;
    return 0;
}

/* the next field of the record: to its column (a new column holds "" for earlier records) */
static int csv_append(Csv *c, PyObject *value) {
    Py_ssize_t j = c->field++;
    if (c->skipping) return 0;
    if (j >= PyList_GET_SIZE(c->columns)) {
        if (j >= c->max_columns) {
            c->over = 1;
            return -1;
        }
        PyObject *col = PyList_New(c->records);
        if (col == NULL) return -1;
        for (Py_ssize_t r = 0; r < c->records; r++) {
            Py_INCREF(c->empty);
            PyList_SET_ITEM(col, r, c->empty);
        }
        int rc = PyList_Append(c->columns, col);
        Py_DECREF(col);
        if (rc < 0) return -1;
    }
    return PyList_Append(PyList_GET_ITEM(c->columns, j), value);
}

static int csv_save_field(Csv *c) {
    PyObject *field = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, c->buf, c->len);
    c->len = 0;
    if (field == NULL) return -1;
    int rc = csv_append(c, field);
    Py_DECREF(field);
    return rc;
}

/* a whole record read (csv.reader would yield it): blank ones and the header are dropped,
 * short ones padded */
static int csv_end_record(Csv *c) {
    Py_ssize_t w = c->field;
    c->field = 0;
    if (w == 0) return 0;
    if (c->skipping) {
        c->skipping = 0;
        return 0;
    }
    for (Py_ssize_t j = w; j < PyList_GET_SIZE(c->columns); j++)
        if (PyList_Append(PyList_GET_ITEM(c->columns, j), c->empty) < 0) return -1;
    c->records++;
    return 0;
}

/* one character (or C_EOL at the end of a line) through csv.reader's states */
static int csv_char(Csv *c, int *state, ch x, ch delimiter) {
    switch (*state) {
    case S_START_RECORD:
        if (x == C_EOL) return 0;
        if (x == '\n' || x == '\r') {
            *state = S_EAT_CRNL;
            return 0;
        }
        *state = S_START_FIELD;
        /* fall through */
    case S_START_FIELD:
        if (x == '\n' || x == '\r' || x == C_EOL) {
            *state = x == C_EOL ? S_START_RECORD : S_EAT_CRNL;
            return csv_save_field(c);
        }
        if (x == '"') {
            *state = S_IN_QUOTED_FIELD;
            return 0;
        }
        if (x == delimiter) return csv_save_field(c);
        *state = S_IN_FIELD;
        return csv_add_char(c, x);
    case S_IN_FIELD:
        if (x == '\n' || x == '\r' || x == C_EOL) {
            *state = x == C_EOL ? S_START_RECORD : S_EAT_CRNL;
            return csv_save_field(c);
        }
        if (x == delimiter) {
            *state = S_START_FIELD;
            return csv_save_field(c);
        }
        return csv_add_char(c, x);
    case S_IN_QUOTED_FIELD:
        if (x == C_EOL) return 0;
        if (x == '"') {
            *state = S_QUOTE_IN_QUOTED;
            return 0;
        }
        return csv_add_char(c, x);
    case S_QUOTE_IN_QUOTED:
        if (x == '"') {
            *state = S_IN_QUOTED_FIELD;
            return csv_add_char(c, x);
        }
        if (x == delimiter) {
            *state = S_START_FIELD;
            return csv_save_field(c);
        }
        if (x == '\n' || x == '\r' || x == C_EOL) {
            *state = x == C_EOL ? S_START_RECORD : S_EAT_CRNL;
            return csv_save_field(c);
        }
        *state = S_IN_FIELD; /* strict off: the character is kept */
        return csv_add_char(c, x);
    default: /* S_EAT_CRNL */
        if (x == C_EOL) {
            *state = S_START_RECORD;
            return 0;
        }
        if (x == '\n' || x == '\r') return 0;
        c->over = 1; /* csv.reader's "new-line character seen in unquoted field" */
        return -1;
    }
}

/* the end of an unquoted field starting at i: the next delimiter, "\r" or "\n", or len */
static Py_ssize_t plain_end(int kind, const void *data, Py_ssize_t i, Py_ssize_t len, ch d) {
#define PLAIN_END(T)                                                                  \
    {                                                                                 \
        const T *p = (const T *)data;                                                 \
        while (i < len && p[i] != d && p[i] != '\n' && p[i] != '\r') i++;             \
        return i;                                                                     \
    }
    if (kind == PyUnicode_1BYTE_KIND) PLAIN_END(Py_UCS1)
    if (kind == PyUnicode_2BYTE_KIND) PLAIN_END(Py_UCS2)
    PLAIN_END(Py_UCS4)
#undef PLAIN_END
}

/* csv_columns(text, delimiter, field_limit, max_columns, skip_first) -> (records, columns)
 * or None */
static PyObject *csv_columns(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *text;
    int delimiter, skip_first;
    Py_ssize_t field_limit, max_columns;
    if (!PyArg_ParseTuple(args, "UCnnp", &text, &delimiter, &field_limit, &max_columns,
                          &skip_first))
        return NULL;
    Csv c = {NULL, 0, 0, field_limit, NULL, NULL, 0, max_columns, 0, skip_first, 0};
    c.columns = PyList_New(0);
    c.empty = PyUnicode_New(0, 0);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    int state = S_START_RECORD, rc = c.columns && c.empty ? 0 : -1;
    ch d = (ch)delimiter;
    for (Py_ssize_t i = 0; rc == 0 && i < len; i++) {
        ch x = PyUnicode_READ(kind, data, i);
        if ((state == S_START_RECORD || state == S_START_FIELD) && x != '"' && x != d &&
            x != '\n' && x != '\r') {
            /* an unquoted field: what IN_FIELD would add, up to its end, in one piece */
            Py_ssize_t j = plain_end(kind, data, i, len, d);
            if (j - i > field_limit) {
                c.over = 1;
                rc = -1;
                break;
            }
            PyObject *field = PyUnicode_Substring(text, i, j);
            rc = field == NULL ? -1 : csv_append(&c, field);
            Py_XDECREF(field);
            if (rc < 0) break;
            if (j == len) { /* the last line, without a line break */
                state = S_START_RECORD;
                rc = csv_end_record(&c);
                break;
            }
            i = j;
            x = PyUnicode_READ(kind, data, i);
            state = x == d ? S_START_FIELD : S_EAT_CRNL; /* as IN_FIELD at x, then on */
        } else {
            rc = csv_char(&c, &state, x, d);
        }
        /* a line ends after "\n", after "\r" not followed by "\n", and at the end */
        if (rc == 0 && (x == '\n' || i + 1 == len ||
                        (x == '\r' && PyUnicode_READ(kind, data, i + 1) != '\n'))) {
            rc = csv_char(&c, &state, C_EOL, d);
            if (rc == 0 && state == S_START_RECORD) rc = csv_end_record(&c);
        }
    }
    if (rc == 0 && state == S_IN_QUOTED_FIELD) { /* the end of the data inside quotes */
        rc = csv_save_field(&c);
        if (rc == 0) rc = csv_end_record(&c);
    }
    PyMem_Free(c.buf);
    Py_XDECREF(c.empty);
    if (rc < 0) {
        Py_XDECREF(c.columns);
        if (c.over && !PyErr_Occurred()) Py_RETURN_NONE;
        return NULL;
    }
    return Py_BuildValue("(nN)", c.records, c.columns);
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_VARARGS,
     "scan(text, today, out): the value passes of detect._hits."},
    {"normalise", normalise, METH_O, "normalise(text): detect.normalise."},
    {"lengths", lengths, METH_O, "lengths(values): (longest length, empty count)."},
    {"csv_columns", csv_columns, METH_VARARGS,
     "csv_columns(text, delimiter, field_limit, max_columns, skip_first): (records, columns)."},
    {"configure_plates", configure_plates, METH_O,
     "configure_plates(provinces): detect.PLATE_PROVINCES."},
    {"configure", configure, METH_VARARGS, "configure(...): columns.py's word lists."},
    {"line_stats", line_stats, METH_VARARGS,
     "line_stats(text, names, addresses): the line statistics of columns.scan_column."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "dataip.screening._scan",
    "The value passes of dataip.screening.detect, in C (see _scan.c).", -1, methods,
};

PyMODINIT_FUNC PyInit__scan(void) {
    init_ascii_class();
    return PyModule_Create(&module);
}
