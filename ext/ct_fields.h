/*
** ct_fields.h — the event fields behind the cloudtrail table's columns,
** found in a raw CloudTrail record or in an Elastic (ECS) document.
*/
#ifndef CT_FIELDS_H
#define CT_FIELDS_H
#include "ct_json.h"
#include "ct_time.h"

/*
** The table of fields: one line per column of the cloudtrail table, in
** column order, then the fields read only to compute a column.  Adding a
** column, or an ECS field for one, is one line here (and its doc line in
** docs/cloudtrail.md).  Derived from it: the CT_F_* numbers, the declared
** schema (ctFieldsSchema()), the key maps of the one-pass raw reader and
** the ECS lookups (ct_fields.c), the columns the planner may push
** (ct_filter.c).  tests/c/test_unit.c checks them against each other and
** against PRAGMA table_xinfo(cloudtrail); tests/conformance.py takes its
** column list from that pragma.
**
**   X(ID, "column", "declared type", CT_FF_* flags, "raw.path",
**     "ecs.path", "second ecs.path")
**
** raw.path: where a CloudTrail record holds the value, dotted; the reader
** descends only into the objects these paths name.  The ECS paths: where
** an Elastic document holds it (the aws.cloudtrail integration's
** previous-generation mapping), tried in order.  0 where there is none:
** then the value is computed (CT_FF_RAW_CALC, CT_FF_ECS_CALC) by
** ct_vtab.c, or the field is not read from that kind of record.
**
**   SELECT name, type, hidden FROM pragma_table_xinfo('cloudtrail');
*/
#define CT_FIELD_LIST(X) \
  X(EVENT_TIME, "event_time", "TEXT COLLATE " CT_TIME_COLLATION, CT_FF_PUSH, \
    "eventTime", "@timestamp", 0) \
  X(EVENT_SOURCE, "event_source", "TEXT", CT_FF_PUSH, \
    "eventSource", "event.provider", 0) \
  X(EVENT_NAME, "event_name", "TEXT", CT_FF_PUSH, \
    "eventName", "event.action", 0) \
  X(AWS_REGION, "aws_region", "TEXT", 0, \
    "awsRegion", "cloud.region", 0) \
  X(SOURCE_IP, "source_ip", "TEXT", 0, \
    "sourceIPAddress", "source.ip", "source.address") \
  X(USER_AGENT, "user_agent", "TEXT", 0, \
    "userAgent", "user_agent.original", 0) \
  X(IDENTITY_TYPE, "identity_type", "TEXT", 0, \
    "userIdentity.type", "aws.cloudtrail.user_identity.type", 0) \
  X(PRINCIPAL_ID, "principal_id", "TEXT", 0, \
    "userIdentity.principalId", "user.id", 0) \
  X(IDENTITY_ARN, "identity_arn", "TEXT", 0, \
    "userIdentity.arn", "aws.cloudtrail.user_identity.arn", 0) \
  X(ACCOUNT_ID, "account_id", "TEXT", 0, \
    "userIdentity.accountId", "cloud.account.id", 0) \
  X(ACCESS_KEY_ID, "access_key_id", "TEXT", 0, \
    "userIdentity.accessKeyId", "aws.cloudtrail.user_identity.access_key_id", 0) \
  X(ISSUER_ARN, "session_issuer_arn", "TEXT", 0, \
    "userIdentity.sessionContext.sessionIssuer.arn", \
    "aws.cloudtrail.user_identity.session_context.session_issuer.arn", 0) \
  /* ECS: the last '/' segment of the issuer ARN, all Elastic keeps */ \
  X(ISSUER_NAME, "session_issuer_name", "TEXT", CT_FF_ECS_CALC, \
    "userIdentity.sessionContext.sessionIssuer.userName", 0, 0) \
  X(ERROR_CODE, "error_code", "TEXT", 0, \
    "errorCode", "aws.cloudtrail.error_code", 0) \
  X(ERROR_MESSAGE, "error_message", "TEXT", 0, \
    "errorMessage", "aws.cloudtrail.error_message", 0) \
  /* raw: as Elastic's pipeline computes it (ctOutcomeRaw()) */ \
  X(OUTCOME, "outcome", "TEXT", CT_FF_RAW_CALC, \
    0, "event.outcome", 0) \
  X(EVENT_ID, "event_id", "TEXT", 0, \
    "eventID", "event.id", 0) \
  X(REQUEST_ID, "request_id", "TEXT", 0, \
    "requestID", "aws.cloudtrail.request_id", 0) \
  X(EVENT_TYPE, "event_type", "TEXT", 0, \
    "eventType", "aws.cloudtrail.event_type", 0) \
  X(READ_ONLY, "read_only", "INTEGER", CT_FF_BOOL, \
    "readOnly", "aws.cloudtrail.read_only", 0) \
  X(RECIPIENT, "recipient_account_id", "TEXT", 0, \
    "recipientAccountId", "aws.cloudtrail.recipient_account_id", 0) \
  /* the record's own JSON text, where it is, the scan's arguments */ \
  X(RAW, "raw", "TEXT", CT_FF_CALC, 0, 0, 0) \
  X(FILE, "file", "TEXT", CT_FF_CALC, 0, 0, 0) \
  X(RECORD_INDEX, "record_index", "INTEGER", CT_FF_CALC, 0, 0, 0) \
  X(PATH, "path", "HIDDEN", CT_FF_CALC|CT_FF_HIDDEN, 0, 0, 0) \
  X(OPTIONS, "options", "HIDDEN", CT_FF_CALC|CT_FF_HIDDEN, 0, 0, 0) \
  /* the record's ECS document (cloudtrail_ecs()), computed when selected */ \
  X(ECS, "ecs", "HIDDEN", CT_FF_CALC|CT_FF_HIDDEN_VALUE, 0, 0, 0) \
  /* the current record for this extension's C code (CtRecordRef, ct_vtab.h); \
  ** NULL to SQL */ \
  X(RECORD_PTR, "record_ptr", "HIDDEN", CT_FF_CALC|CT_FF_HIDDEN_VALUE, 0, 0, 0) \
  /* not columns: read to compute one (always after the columns) */ \
  X(CONSOLE_LOGIN, 0, 0, CT_FF_NOCOLUMN, \
    "responseElements.ConsoleLogin", 0, 0)

/* Flags of a field (CT_FIELD_LIST). */
#define CT_FF_PUSH      0x01  /* the planner may push constraints on it:
                              ** a top-level key of a raw record */
#define CT_FF_HIDDEN    0x02  /* a hidden column (an argument) */
#define CT_FF_NOCOLUMN  0x04  /* not a column: read to compute one */
#define CT_FF_RAW_CALC  0x08  /* computed, not read, for a raw record */
#define CT_FF_ECS_CALC  0x10  /* computed, not read, for an ECS document */
#define CT_FF_CALC      (CT_FF_RAW_CALC|CT_FF_ECS_CALC)
#define CT_FF_BOOL      0x20  /* JSON true/false (or "true"/"false") as 1/0 */
#define CT_FF_HIDDEN_VALUE 0x40  /* a hidden column that is a value, not an argument */

/* Field numbers CT_F_EVENT_TIME …, in table order; the first
** CT_F_NCOLUMN are the table's columns. */
#define CT_F_ENUM_(id, zName, zType, mFlags, zRaw, zEcs, zEcs2) CT_F_##id,
#define CT_F_ISCOL_(id, zName, zType, mFlags, zRaw, zEcs, zEcs2) \
  + !((mFlags) & CT_FF_NOCOLUMN)
enum {
  CT_FIELD_LIST(CT_F_ENUM_)
  CT_NFIELD,
  CT_F_NCOLUMN = 0 CT_FIELD_LIST(CT_F_ISCOL_)
};
#undef CT_F_ENUM_
#undef CT_F_ISCOL_

/* Most ECS paths a field has. */
#define CT_MAX_ECS_PATHS 2

/* One line of the table. */
typedef struct CtField CtField;
struct CtField {
  const char *zName;              /* column name, 0 if not a column */
  const char *zType;              /* declared type ("TEXT COLLATE …"), or
                                  ** "HIDDEN" */
  int mFlags;                     /* CT_FF_* */
  const char *zRaw;               /* dotted path in a raw record, or 0 */
  const char *azEcs[CT_MAX_ECS_PATHS];  /* ECS paths in order; 0 ends */
};

extern const CtField ctFieldTable[CT_NFIELD];

/* Each field's JSON value text; z==0 when absent. */
typedef struct CtFields CtFields;
struct CtFields {
  CtSpan a[CT_NFIELD];
};

/* What a record object is (ctRecordShape()). */
#define CT_SHAPE_RAW         0   /* a CloudTrail record */
#define CT_SHAPE_ECS         1   /* an Elastic document */
#define CT_SHAPE_ENVELOPE    2   /* EventBridge envelope: see detail */
#define CT_SHAPE_HIT         3   /* Elasticsearch hit: see source */
#define CT_SHAPE_LOOKUP      4   /* lookup-events item: see ctEvent */
#define CT_SHAPE_DIGEST      5   /* a CloudTrail digest file */
#define CT_SHAPE_NONE        6   /* none of these: not a record */

typedef struct CtShape CtShape;
struct CtShape {
  CtSpan detail, source, ctEvent;     /* wrapped objects / string */
  int bDetailType, bDigestStart, bLogFiles, bRaw, bEcs;
  int bSourceRaw;                     /* a hit's _source is a raw record */
};

int ctRecordShape(CtSpan rec, const CtMembers *pM, CtShape *pS);

/* Memory for decoded text, owned by its user: zeroed to start with, grown
** as needed, sqlite3_free(a) at the end. */
typedef struct CtBuf CtBuf;
struct CtBuf {
  char *a;
  size_t nAlloc;
};

/* Why a lookup-events item gave no record (CtUnwrapped.eBad). */
#define CT_UNWRAP_OK          0
#define CT_UNWRAP_NOT_OBJECT  1   /* CloudTrailEvent holds no JSON object */
#define CT_UNWRAP_INVALID     2   /* … nor valid JSON: err says where, why */

/* A record object unwrapped (ctRecordUnwrap()). */
typedef struct CtUnwrapped CtUnwrapped;
struct CtUnwrapped {
  int eShape;           /* CT_SHAPE_* of the object given */
  CtSpan rec;           /* the raw record or ECS document to read fields
                        ** from; z==0 when none (a digest, a bad lookup
                        ** item) */
  int bEcs;             /* rec is an Elastic document, else a raw record */
  int bMem;             /* rec is the object given: its pM applies */
  int eBad;             /* CT_UNWRAP_*, for a lookup item */
  CtJsonError err;      /* CT_UNWRAP_INVALID: offset in the decoded text */
};

int ctRecordUnwrap(CtSpan obj, const CtMembers *pM, CtBuf *pBuf,
                   CtUnwrapped *pOut);
void ctFieldsRaw(CtSpan rec, const CtMembers *pM, CtFields *pF);
void ctFieldsRawPart(CtSpan rec, const CtMembers *pM, CtFields *pF,
                     int bTopOnly);
void ctFieldsEcs(CtSpan rec, CtFields *pF);
const char *ctOutcomeRaw(const CtFields *pF, int *pbLower);
CtSpan ctJsonStringBody(CtSpan v);
char *ctFieldsSchema(void);

#endif
