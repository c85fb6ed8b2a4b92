/*
** ct_fields.h — the event fields behind the cloudtrail table's columns,
** found in a raw CloudTrail record or in an Elastic (ECS) document.
*/
#ifndef CT_FIELDS_H
#define CT_FIELDS_H
#include "ct_json.h"

/* Field numbers; the first CT_F_NCOLUMN are also the table's columns. */
#define CT_F_EVENT_TIME       0
#define CT_F_EVENT_SOURCE     1
#define CT_F_EVENT_NAME       2
#define CT_F_AWS_REGION       3
#define CT_F_SOURCE_IP        4
#define CT_F_USER_AGENT       5
#define CT_F_IDENTITY_TYPE    6
#define CT_F_PRINCIPAL_ID     7
#define CT_F_IDENTITY_ARN     8
#define CT_F_ACCOUNT_ID       9
#define CT_F_ACCESS_KEY_ID    10
#define CT_F_ISSUER_ARN       11
#define CT_F_ISSUER_NAME      12
#define CT_F_ERROR_CODE       13
#define CT_F_ERROR_MESSAGE    14
#define CT_F_OUTCOME          15
#define CT_F_EVENT_ID         16
#define CT_F_REQUEST_ID       17
#define CT_F_EVENT_TYPE       18
#define CT_F_READ_ONLY        19
#define CT_F_RECIPIENT        20
#define CT_F_NCOLUMN          21
#define CT_F_CONSOLE_LOGIN    21   /* responseElements.ConsoleLogin (raw) */
#define CT_NFIELD             22

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
void ctFieldsRaw(CtSpan rec, const CtMembers *pM, CtFields *pF);
void ctFieldsRawPart(CtSpan rec, const CtMembers *pM, CtFields *pF,
                     int bTopOnly);
void ctFieldsEcs(CtSpan rec, CtFields *pF);
const char *ctOutcomeRaw(const CtFields *pF, int *pbLower);
CtSpan ctJsonStringBody(CtSpan v);

#endif
