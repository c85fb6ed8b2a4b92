/*
** ct_json.h — the JSON scanner shared by the reader, the field extractor
** and the rules.  It never builds a tree: it validates a value, finds where
** a value ends, walks an object's members and decodes strings.
*/
#ifndef CT_JSON_H
#define CT_JSON_H
#include <stddef.h>

/* SQLite 3.40's json1 refuses documents nested deeper than 2000 levels.
** Using the same limit means every record we accept is also accepted by
** json(raw), and it bounds the validator's fixed-size stack. */
#define CT_JSON_MAX_DEPTH 2000

/* The SQLite subtype the cloudtrail table gives its raw column: "this text
** is one JSON object that was validated when it was read".  Functions that
** see it skip their own validation pass.  Whatever the subtype says, the
** scanners never read outside their input. */
#define CT_SUBTYPE_RECORD  0x63

#define CT_JSON_OK         0   /* a complete, valid value */
#define CT_JSON_INCOMPLETE 1   /* the buffer ended before the value did */
#define CT_JSON_ERROR      2   /* not valid JSON */

/* A slice of a buffer.  z==0 means "absent". */
typedef struct CtSpan CtSpan;
struct CtSpan {
  const char *z;
  size_t n;
};

/* Where and why validation failed. */
typedef struct CtJsonError CtJsonError;
struct CtJsonError {
  size_t iOff;          /* offset of the offending byte in the buffer */
  const char *zWhy;     /* static text, e.g. "expected ':'" */
};

/* Top-level members of an object, recorded while it is validated so that
** later steps need not scan it again.  Offsets are from the object's '{'. */
#define CT_MAX_MEMBERS 64    /* CloudTrail records have about 20 */
typedef struct CtMember CtMember;
struct CtMember {
  size_t iKey, nKey;         /* the key's bytes between its quotes */
  size_t iVal, nVal;         /* the value's text */
};
typedef struct CtMembers CtMembers;
struct CtMembers {
  int n;                     /* members recorded */
  int bOverflow;             /* more than CT_MAX_MEMBERS: scan instead */
  CtMember a[CT_MAX_MEMBERS];
};

/* Whitespace as JSON defines it (space, tab, CR, LF). */
#define CT_JSON_IS_WS(c) ((c)==' ' || (c)=='\n' || (c)=='\r' || (c)=='\t')

size_t ct_json_skip_ws(const char *z, size_t n, size_t i);
int ct_json_validate(const char *z, size_t n, size_t i, int bEof, int mxDepth,
                     size_t *piEnd, CtJsonError *pErr);
int ct_json_validate_members(const char *z, size_t n, size_t i, int bEof,
                             int mxDepth, size_t *piEnd, CtJsonError *pErr,
                             CtMembers *pM);
void ct_members_add(CtMembers *pM, size_t iKey, size_t nKey, size_t iVal,
                    size_t nVal);
int ct_json_string_end(const char *z, size_t n, size_t i, size_t *piEnd,
                       CtJsonError *pErr);
size_t ct_json_skip(const char *z, size_t n, size_t i);
int ct_json_next_member(const char *z, size_t n, size_t *pi,
                        CtSpan *pKey, CtSpan *pVal);
int ct_json_next_element(const char *z, size_t n, size_t *pi, CtSpan *pVal);
int ct_json_key_eq(CtSpan key, const char *zName, size_t nName);
int ct_json_is_null(CtSpan v);
size_t ct_json_unescape(const char *z, size_t n, char *zOut);
int ct_json_hex_digit(char c);
CtSpan ct_json_lookup(CtSpan obj, const char *zPath);

#endif
