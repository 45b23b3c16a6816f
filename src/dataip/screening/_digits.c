/* The digit-run pass of dataip.screening.detect, in C.
 *
 * Why by hand: screening must run at tens of MB/s per core (issue 7), and in Python most of
 * the time went to the per-match work after the regular expression (about 7 us for each of
 * the ~20,000 identifiers in every megabyte). No library validates Chinese identifiers (GB
 * 11643 resident IDs, GB 32100 credit codes, mobile segments, area codes, UnionPay cards),
 * and regular-expression engines that are faster than `re` (RE2, Hyperscan) have no
 * look-behind and would still hand every match back to Python.
 *
 * What it does, exactly as the `_DIGITS` pattern of detect.py and its `_number` would: it
 * walks the (already normalised) text once, and for every maximal run of ASCII digits not
 * preceded by a digit, "@" or ".":
 *
 *   - 10 to 19 digits followed by neither a digit, "@" nor an ASCII letter: the pattern's
 *     `run` (or, for 18 digits, `usc`) alternative matches exactly these digits, and the run
 *     is classified and validated here, as `_number` does;
 *   - 17 digits and an X check character: a resident ID, checked here;
 *   - followed by another ASCII letter (a credit code with letters), or a
 *     run that may start a grouped number (up to 6 digits, " " or "-", 3 digits) or an IPv4
 *     address (up to 3 digits, ".", a digit): the position is handed back ("delegated") and
 *     Python matches the pattern there;
 *   - anything else (over 19 digits, under 10 followed by anything else, followed by "@"):
 *     the pattern cannot match at this run, so it is skipped.
 *
 * detect.py keeps the pure-Python pass as the reference (used when this module is not
 * built) and tests/unit/screening/test_digits_native.py checks that both agree on generated
 * and corpus text. Python's own `re` is still used for every other pass.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

enum { K_RESIDENT_ID, K_USCC, K_MOBILE, K_LANDLINE, K_BANK_CARD, K_CARD_CANDIDATE, K_COUNT };

static int is_province(int a, int b) {
    int code = a * 10 + b;
    switch (code) {
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

/* detect.validate.birth_date_ok on 8 digits d[0..7]; today is "YYYYMMDD" */
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

/* GB 11643 on 18 digits (an X check character never reaches here) */
static int resident_id_ok(const int *d, const char *today) {
    if (!is_province(d[0], d[1]) || !birth_date_ok(d + 6, today)) return 0;
    int v = 0; /* int(first17, 13) mod 11 */
    for (int i = 0; i < 17; i++) v = (v * 13 + d[i]) % 11;
    int check = ((1 - 2 * v) % 11 + 11) % 11;
    return check != 10 && d[17] == check;
}

/* the same on 17 digits followed by an X check character */
static int resident_id_x_ok(const int *d, const char *today) {
    if (!is_province(d[0], d[1]) || !birth_date_ok(d + 6, today)) return 0;
    int v = 0;
    for (int i = 0; i < 17; i++) v = (v * 13 + d[i]) % 11;
    return ((1 - 2 * v) % 11 + 11) % 11 == 10;
}

static int id_shaped(const int *d, const char *today) {
    return is_province(d[0], d[1]) && birth_date_ok(d + 6, today);
}

/* GB 32100 on 18 digits, then GB 11714 on the embedded organisation code */
static int uscc_ok(const int *d) {
    static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    static const int org_weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    if (d[0] == 0) return 0; /* registration authority 1-9 (letters never reach here) */
    if (!is_province(d[2], d[3]) && !(d[2] == 1 && d[3] == 0)) return 0;
    int total = 0;
    for (int i = 0; i < 17; i++) total += d[i] * weights[i];
    int check = (31 - total % 31) % 31;
    if (check >= 10 || d[17] != check) return 0;
    int org = 0;
    for (int i = 0; i < 8; i++) org += d[8 + i] * org_weights[i];
    int oc = (11 - org % 11) % 11;
    return oc != 10 && d[16] == oc;
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

/* detect._number on n (10..19) digits: a kind, or -1; *skip = how many leading digits the
 * canonical value drops (+86 / 0086 mobile numbers) */
static int classify(const int *d, int n, const char *today, int *skip) {
    *skip = 0;
    if (n == 18) {
        if (resident_id_ok(d, today)) return K_RESIDENT_ID;
        if (uscc_ok(d)) return K_USCC;
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

static int is_ascii_letter(Py_UCS4 c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/* Whether a run of n (< 10) digits ending at i, followed by `next`, may start a grouped
 * number (`grp`: at most 6 digits, then " " or "-" and at least 3 digits) or an IPv4 address
 * (`ip4`: at most 3 digits, then "." and a digit); otherwise the pattern cannot match here. */
static int may_continue(int kind, const void *data, Py_ssize_t len, Py_ssize_t i, Py_ssize_t n,
                        Py_UCS4 next) {
    if (next == ' ' || next == '-') {
        if (n > 6 || i + 3 >= len) return 0;
        for (Py_ssize_t j = i + 1; j <= i + 3; j++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, j);
            if (c < '0' || c > '9') return 0;
        }
        return 1;
    }
    if (next == '.') {
        if (n > 3 || i + 1 >= len) return 0;
        Py_UCS4 c = PyUnicode_READ(kind, data, i + 1);
        return c >= '0' && c <= '9';
    }
    return 0;
}

static int append_ssize(PyObject *list, Py_ssize_t v) {
    PyObject *o = PyLong_FromSsize_t(v);
    if (o == NULL) return -1;
    int rc = PyList_Append(list, o);
    Py_DECREF(o);
    return rc;
}

/* scan(text, today, out, delegates): out is a tuple of K_COUNT (starts, ends, values) list
 * triples in the order resident_id, uscc, mobile, landline, bank_card, card candidate;
 * delegated positions are appended to the list `delegates`. Returns None. */
static PyObject *scan(PyObject *self, PyObject *args) {
    PyObject *text, *out, *delegates;
    const char *today;
    if (!PyArg_ParseTuple(args, "UsO!O!", &text, &today, &PyTuple_Type, &out, &PyList_Type,
                          &delegates))
        return NULL;
    if (strlen(today) != 8) {
        PyErr_SetString(PyExc_ValueError, "today must be YYYYMMDD");
        return NULL;
    }
    if (PyTuple_GET_SIZE(out) != K_COUNT) {
        PyErr_SetString(PyExc_ValueError, "out must hold one (starts, ends, values) per kind");
        return NULL;
    }
    PyObject *lists[K_COUNT][3];
    for (int k = 0; k < K_COUNT; k++) {
        PyObject *triple = PyTuple_GET_ITEM(out, k);
        if (!PyTuple_Check(triple) || PyTuple_GET_SIZE(triple) != 3) {
            PyErr_SetString(PyExc_ValueError, "out must hold (starts, ends, values) triples");
            return NULL;
        }
        for (int j = 0; j < 3; j++) {
            lists[k][j] = PyTuple_GET_ITEM(triple, j);
            if (!PyList_Check(lists[k][j])) {
                PyErr_SetString(PyExc_TypeError, "starts, ends and values must be lists");
                return NULL;
            }
        }
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    int d[19];
    Py_ssize_t i = 0;
    while (i < len) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < '0' || c > '9') {
            i++;
            continue;
        }
        Py_ssize_t start = i;
        while (i < len) {
            c = PyUnicode_READ(kind, data, i);
            if (c < '0' || c > '9') break;
            i++;
        }
        Py_ssize_t n = i - start;
        if (start > 0) {
            Py_UCS4 before = PyUnicode_READ(kind, data, start - 1);
            if (before == '@' || before == '.') continue;
        }
        Py_UCS4 next = i < len ? PyUnicode_READ(kind, data, i) : 0;
        if (n > 19 || next == '@') continue;
        Py_ssize_t end = i;
        int x_check = 0;
        if (n == 17 && (next == 'X' || next == 'x')) {
            /* a resident ID with the check character X: the pattern takes the X unless a
             * digit or "@" follows it (then it takes the 17 digits alone) */
            Py_UCS4 after = i + 1 < len ? PyUnicode_READ(kind, data, i + 1) : 0;
            x_check = !((after >= '0' && after <= '9') || after == '@');
        } else if (is_ascii_letter(next) || (n < 10 && may_continue(kind, data, len, i, n, next))) {
            if (append_ssize(delegates, start) < 0) return NULL;
            continue;
        }
        if (n < 10) continue;
        for (Py_ssize_t j = 0; j < n; j++) d[j] = (int)(PyUnicode_READ(kind, data, start + j) - '0');
        int skip = 0, k;
        PyObject *value;
        if (x_check) {
            if (!resident_id_x_ok(d, today)) continue;
            k = K_RESIDENT_ID;
            end = i + 1;
            char id[18];
            for (int j = 0; j < 17; j++) id[j] = (char)('0' + d[j]);
            id[17] = 'X';
            value = PyUnicode_FromStringAndSize(id, 18);
        } else {
            k = classify(d, (int)n, today, &skip);
            if (k < 0) continue;
            value = PyUnicode_Substring(text, start + skip, i);
        }
        if (value == NULL) return NULL;
        int rc = PyList_Append(lists[k][2], value);
        Py_DECREF(value);
        if (rc < 0 || append_ssize(lists[k][0], start) < 0 || append_ssize(lists[k][1], end) < 0)
            return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_VARARGS,
     "scan(text, today, out, delegates): the digit-run pass of detect._hits (see the module)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "dataip.screening._digits",
    "The digit-run pass of dataip.screening.detect, in C (see _digits.c).", -1, methods,
};

PyMODINIT_FUNC PyInit__digits(void) { return PyModule_Create(&module); }
