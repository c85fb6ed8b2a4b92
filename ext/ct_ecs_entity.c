/*
** ct_ecs_entity.c — the actor and target entities of a CloudTrail record,
** as the aws.cloudtrail pipeline's actor_target_mapping script sets them:
** related.entity, actor.entity.id, target.entity.id and the user, host,
** service and generic entity fields that classify them.
**
**   SELECT cloudtrail_ecs(raw, 'target.entity.id'),
**          cloudtrail_ecs(raw, 'user.target.entity.id')
**     FROM cloudtrail('fixtures/ecs') WHERE event_name = 'CreateUser';
**
** The script's per-service knowledge is the table ctEnRules below: which
** fields of which service's records name related entities (any event) and
** targets (per event name, first matching branch only, as the script's
** if/else chains).  Sets are Java TreeSets: sorted, without duplicates.
*/
#include <string.h>
#include "ct_ecs.h"
SQLITE_EXTENSION_INIT3

/* What a rule adds. */
#define CT_ENH_FIELD    0   /* the string at zPath */
#define CT_ENH_ITEMS    1   /* each object of the list at zPath: its zSub fields */
#define CT_ENH_STRINGS  2   /* each string of the list at zPath (addValue each) */
#define CT_ENH_VALUES   5   /* the list at zPath as one addValues() */
#define CT_ENH_RULENUM  3   /* String.valueOf() of the value at zPath */
#define CT_ENH_SENDCMD  4   /* ssm SendCommand's instances (ctEnSendCommand()) */

typedef struct CtEnRule CtEnRule;
struct CtEnRule {
  const char *zSource;   /* eventSource */
  const char *zEvents;   /* 0: related entities of every event; else targets
                         ** of "|A|B|" (or "~A": names containing A) */
  int eHow;              /* CT_ENH_* */
  const char *zPath;     /* in the record; "[]" steps into each list item */
  const char *zSub;      /* CT_ENH_ITEMS: comma-separated fields of an item */
};

#define CF "cloudformation.amazonaws.com"
#define CTR "cloudtrail.amazonaws.com"
#define EC2 "ec2.amazonaws.com"
#define IAM "iam.amazonaws.com"
#define RDS "rds.amazonaws.com"
#define S3 "s3.amazonaws.com"
#define SSM "ssm.amazonaws.com"
#define STS "sts.amazonaws.com"
#define LAM "lambda.amazonaws.com"
#define R(src, path)          { src, 0, CT_ENH_FIELD, path, 0 }
#define RI(src, path, sub)    { src, 0, CT_ENH_ITEMS, path, sub }
#define RS(src, path)         { src, 0, CT_ENH_VALUES, path, 0 }
#define T(src, ev, path)      { src, ev, CT_ENH_FIELD, path, 0 }
#define TI(src, ev, path, sub){ src, ev, CT_ENH_ITEMS, path, sub }
#define TS(src, ev, path)     { src, ev, CT_ENH_STRINGS, path, 0 }

/* Per service, as the script's enrich functions (docs/ecs.md). */
static const CtEnRule ctEnRules[] = {
  T(CF, "|CreateStackSet|", "responseElements.stackSetId"),
  T(CF, "|CreateStack|", "responseElements.stackId"),
  R(CTR, "requestParameters.name"), R(CTR, "requestParameters.s3BucketName"),
  R(CTR, "responseElements.cloudWatchLogsLogGroupArn"),
  R(CTR, "responseElements.cloudWatchLogsRoleArn"),
  R(CTR, "responseElements.kmsKeyId"), R(CTR, "responseElements.snsTopicARN"),
  R(CTR, "responseElements.trailARN"), R(CTR, "responseElements.name"),
  T(CTR, "|DeleteTrail|StopLogging|", "requestParameters.name"),
  T(CTR, "|DescribeTrails|", "recipientAccountId"),
  R("config.amazonaws.com", "requestParameters.configurationRecorderName"),
  T("config.amazonaws.com", "|StopConfigurationRecorder|StartConfigurationRecorder|",
    "requestParameters.configurationRecorderName"),
  T("ec2-instance-connect.amazonaws.com",
    "|SendSSHPublicKey|SendSerialConsoleSSHPublicKey|", "requestParameters.instanceId"),
  R(EC2, "requestParameters.groupId"), R(EC2, "requestParameters.groupName"),
  R(EC2, "requestParameters.roleName"), R(EC2, "requestParameters.subnetId"),
  R(EC2, "requestParameters.volumeId"), R(EC2, "requestParameters.networkInterfaceId"),
  R(EC2, "requestParameters.vpcId"), R(EC2, "requestParameters.snapshotId"),
  R(EC2, "responseElements.groupId"), R(EC2, "responseElements.reservationId"),
  R(EC2, "responseElements.vpc.vpcId"), R(EC2, "responseElements.vpc.dhcpOptionsId"),
  R(EC2, "responseElements.snapshotId"), R(EC2, "responseElements.volumeId"),
  RI(EC2, "responseElements.securityGroupRuleSet.items",
     "groupId,referencedGroupInfo.groupId,securityGroupRuleId"),
  RI(EC2, "responseElements.groupSet.items", "groupId"),
  RI(EC2, "requestParameters.groupSet.items", "groupId"),
  RI(EC2, "requestParameters.instancesSet.items", "instanceId"),
  RI(EC2, "responseElements.instancesSet.items",
     "subnetId,vpcId,instanceId,imageId,iamInstanceProfile.arn"),
  RI(EC2, "responseElements.instancesSet.items[].networkInterfaceSet.items",
     "networkInterfaceId,vpcId,subnetId"),
  RI(EC2, "responseElements.instancesSet.items[].networkInterfaceSet.items[].groupSet.items",
     "groupId"),
  RI(EC2, "requestParameters.revokedSecurityGroupRuleSet.items",
     "securityGroupRuleId,groupId"),
  T(EC2, "|AuthorizeSecurityGroupIngress|AuthorizeSecurityGroupEgress|",
    "requestParameters.groupId"),
  TI(EC2, "|AuthorizeSecurityGroupIngress|AuthorizeSecurityGroupEgress|",
     "responseElements.securityGroupRuleSet.items", "securityGroupRuleId"),
  T(EC2, "|CreateTrafficMirrorFilter|", "responseElements."
    "CreateTrafficMirrorFilterResponse.trafficMirrorFilter.trafficMirrorFilterId"),
  T(EC2, "|CreateTrafficMirrorFilterRule|", "responseElements."
    "CreateTrafficMirrorFilterRuleResponse.trafficMirrorFilterRule.trafficMirrorFilterRuleId"),
  T(EC2, "|CreateTrafficMirrorSession|", "responseElements."
    "CreateTrafficMirrorSessionResponse.trafficMirrorSession.trafficMirrorSessionId"),
  T(EC2, "|CreateTrafficMirrorTarget|", "responseElements."
    "CreateTrafficMirrorTargetResponse.trafficMirrorTarget.trafficMirrorTargetId"),
  T(EC2, "|DeleteFlowLogs|", "requestParameters.DeleteFlowLogsRequest.FlowLogId.content"),
  T(EC2, "|DeleteNetworkAcl|", "requestParameters.networkAclId"),
  T(EC2, "|DeleteNetworkAclEntry|", "requestParameters.networkAclId"),
  { EC2, "|DeleteNetworkAclEntry|", CT_ENH_RULENUM, "requestParameters.ruleNumber", 0 },
  T(EC2, "|GetPasswordData|", "requestParameters.instanceId"),
  T(EC2, "|ModifyImageAttribute|", "requestParameters.imageId"),
  T(EC2, "|ModifySnapshotAttribute|", "requestParameters.snapshotId"),
  T(EC2, "|DescribeSecurityGroups|DescribeNetworkInterfaces|DescribeRegions|"
    "DescribeVpcs|DescribeNetworkAcls|DescribeVolumes|", "recipientAccountId"),
  T("elasticfilesystem.amazonaws.com", "|DeleteFileSystem|", "requestParameters.fileSystemId"),
  T("elasticfilesystem.amazonaws.com", "|DeleteMountTarget|", "requestParameters.mountTargetId"),
  T("events.amazonaws.com", "|DeleteRule|", "requestParameters.name"),
  R("guardduty.amazonaws.com", "requestParameters.detectorId"),
  R("guardduty.amazonaws.com", "responseElements.detectorId"),
  T("guardduty.amazonaws.com", "|CreateDetector|", "responseElements.detectorId"),
  T("guardduty.amazonaws.com", "|DeleteDetector|", "requestParameters.detectorId"),
  R(IAM, "requestParameters.userName"), R(IAM, "requestParameters.serialNumber"),
  R(IAM, "requestParameters.accessKeyId"), R(IAM, "requestParameters.policyArn"),
  R(IAM, "requestParameters.roleName"), R(IAM, "requestParameters.policyName"),
  R(IAM, "responseElements.accessKey.userName"), R(IAM, "responseElements.accessKey.accessKeyId"),
  R(IAM, "responseElements.user.arn"), R(IAM, "responseElements.user.userId"),
  R(IAM, "responseElements.user.userName"), R(IAM, "responseElements.userId"),
  R(IAM, "responseElements.role.arn"), R(IAM, "responseElements.serialNumber"),
  T(IAM, "|AttachGroupPolicy|", "requestParameters.groupName"),
  T(IAM, "|AttachRolePolicy|ListAttachedRolePolicies|UpdateAssumeRolePolicy|",
    "requestParameters.roleName"),
  T(IAM, "|AttachUserPolicy|", "requestParameters.policyArn"),
  T(IAM, "|AttachUserPolicy|", "requestParameters.userName"),
  T(IAM, "|CreateAccessKey|", "responseElements.accessKey.accessKeyId"),
  T(IAM, "|CreateAccessKey|", "requestParameters.userName"),
  T(IAM, "|CreateUser|DeactivateMFADevice|", "requestParameters.userName"),
  T(IAM, "|DeleteVirtualMFADevice|", "requestParameters.serialNumber"),
  T(IAM, "|GetPolicy|", "requestParameters.policyArn"),
  T(IAM, "|CreatePolicy|", "responseElements.policy.arn"),
  T(IAM, "|ListRoles|ListUsers|", "recipientAccountId"),
  R("kms.amazonaws.com", "requestParameters.keyId"),
  R("kms.amazonaws.com", "responseElements.keyId"),
  R("kms.amazonaws.com", "responseElements.keyMetadata.arn"),
  R("kms.amazonaws.com", "responseElements.keyMetadata.keyId"),
  TI("kms.amazonaws.com", "|DisableKey|ScheduleKeyDeletion|", "resources", "ARN"),
  R(LAM, "requestParameters.functionName"), R(LAM, "responseElements.functionArn"),
  R(LAM, "responseElements.functionName"), R(LAM, "responseElements.role"),
  RS(LAM, "responseElements.vpcConfig.securityGroupIds"),
  RS(LAM, "responseElements.vpcConfig.subnetIds"),
  T(LAM, "~AddPermission", "requestParameters.functionName"),
  T(LAM, "~ListFunctions", "recipientAccountId"),
  T("logs.amazonaws.com", "|DeleteLogGroup|", "requestParameters.logGroupName"),
  T("logs.amazonaws.com", "|DeleteLogStream|", "requestParameters.logStreamName"),
  TS("monitoring.amazonaws.com", "|DeleteAlarms|", "requestParameters.alarmNames"),
  R(RDS, "requestParameters.dBInstanceIdentifier"), R(RDS, "requestParameters.dBInstanceArn"),
  R(RDS, "responseElements.dBInstanceIdentifier"), R(RDS, "responseElements.dbInstanceArn"),
  R(RDS, "responseElements.dBSubnetGroup.vpcId"),
  R(RDS, "responseElements.vpcSecurityGroups.vpcSecurityGroupId"),
  RI(RDS, "responseElements.dBSubnetGroup.subnets", "subnetIdentifier"),
  RI(RDS, "responseElements.vpcSecurityGroups", "vpcSecurityGroupId"),
  T(RDS, "|DeleteDBCluster|ModifyDBCluster|StopDBCluster|", "responseElements.dBClusterArn"),
  T(RDS, "|DeleteDBInstance|ModifyDBInstance|RestoreDBInstanceFromDBSnapshot|"
    "RestoreDBInstanceFromS3|StopDBInstance|", "responseElements.dBInstanceArn"),
  T(RDS, "|DeleteGlobalCluster|", "responseElements.globalClusterArn"),
  T(RDS, "|ModifyDBClusterSnapshotAttribute|", "responseElements.dBClusterSnapshotIdentifier"),
  T(RDS, "|ModifyDBSnapshotAttribute|", "responseElements.dBSnapshotIdentifier"),
  T(RDS, "|DescribeDBInstances|", "recipientAccountId"),
  T("rolesanywhere.amazonaws.com", "|CreateTrustAnchor|",
    "responseElements.trustAnchor.trustAnchorArn"),
  T("route53resolver.amazonaws.com", "|DeleteResolverQueryLogConfig|",
    "responseElements.resolverQueryLogConfig.arn"),
  R(S3, "requestParameters.bucketName"),
  TI(S3, "|CopyObject|PutBucketLogging|PutBucketVersioning|PutObject|GetBucketPolicy|"
     "ListObjects|HeadObject|GetObject|DeleteObject|DeleteBucket|", "resources", "ARN"),
  TI(S3, "|PutBucketReplication|", "resources", "ARN"),
  T(S3, "|PutBucketReplication|", "requestParameters.ReplicationConfiguration.Rule.Destination.Bucket"),
  T(S3, "|ListBuckets|", "recipientAccountId"),
  TS("secretsmanager.amazonaws.com", "|BatchGetSecretValue|", "requestParameters.secretIdList"),
  T("secretsmanager.amazonaws.com", "|GetSecretValue|", "requestParameters.secretId"),
  T("signin.amazonaws.com", "|ConsoleLogin|", "recipientAccountId"),
  TI(SSM, "|GetParameter|GetParameters|CreateControlChannel|OpenControlChannel|",
     "resources", "ARN"),
  T(SSM, "|StartSession|", "requestParameters.target"),
  T(SSM, "|CreateDocument|", "requestParameters.name"),
  T(SSM, "|TerminateSession|OpenDataChannel|", "requestParameters.sessionId"),
  { SSM, "|SendCommand|", CT_ENH_SENDCMD, "requestParameters.instanceIds", 0 },
  T(SSM, "|ListInstanceAssociations|", "recipientAccountId"),
  R(STS, "requestParameters.roleArn"), R(STS, "sourceIdentity"),
  R(STS, "additionalEventData.MFAIdentifier"), R(STS, "responseElements.assumedRoleUser.arn"),
  R(STS, "requestParameters.roleSessionName"), R(STS, "responseElements.accessKeyId"),
  T(STS, "|AssumeRole|", "requestParameters.roleArn"),
  T(STS, "|GetCallerIdentity|", "recipientAccountId"),
  R("wafv2.amazonaws.com", "requestParameters.id"),
  R("wafv2.amazonaws.com", "responseElements.summary"),
  T("wafv2.amazonaws.com", "|DeleteRuleGroup|DeleteWebACL|", "requestParameters.id"),
  T("sns.amazonaws.com", "|CreateTopic|", "responseElements.topicArn"),
  T("sns.amazonaws.com", "|Subscribe|Publish|", "requestParameters.topicArn"),
  T("bedrock.amazonaws.com", "|Converse|", "requestParameters.modelId"),
  T("elasticloadbalancing.amazonaws.com", "|DescribeLoadBalancers|", "recipientAccountId"),
  T("dynamodb.amazonaws.com", "|ListTables|", "recipientAccountId"),
};

/* Resource types (ARN part 6 before '/') of each kind of target. */
static const char *const ctEnUserTypes[] = {
  "user", "role", "assumed-role", "federated-user", "instance-profile", "mfa",
  "serialNumber", 0
};
static const char *const ctEnServiceTypes[] = {
  "stack", "stack-set", "trail", "configuration-recorder", "file-system",
  "mount-target", "rule", "detector", "key", "function", "log-group",
  "log-stream", "alarm", "db", "cluster", "global-cluster", "trust-anchor",
  "resolver-query-log-config", "secret", "parameter", "document", "session",
  "webacl", "rulegroup", "ipset", "topic", "model", "loadbalancer", "table",
  "group", "policy", "security-group", "network-interface", "vpc", "subnet",
  "network-acl", "dhcp-options", 0
};
static const char *const ctEnServicePrefixes[] = {
  "sg-", "sgr-", "eni-", "vpc-", "subnet-", "acl-", "rtb-", "igw-", "nat-",
  "vpce-", "tgw-", "pcx-", 0
};

/* An IAM access key id: 20 characters starting AKIA. */
#define CT_EN_ACCESS_KEY_LEN 20

static int ctEnIn(const char *const *az, const char *z, size_t n){
  int k;
  for(k=0; az[k]; k++){
    if( strlen(az[k])==n && memcmp(az[k], z, n)==0 ) return 1;
  }
  return 0;
}

static int ctEnStarts(const char *z, const char *zPre){
  return strncmp(z, zPre, strlen(zPre))==0;
}

/* Add the value v (a record value) to set iList.  The script's add takes
** text only: any other value that the removal pass kept fails the script
** (bEntityFailed), as Painless' cast to String would. */
static int ctEnAdd(CtEcsRec *p, int iList, CtSpan v){
  if( !ctJvKept(v) ) return SQLITE_OK;
  if( !ctEcsIsString(v) ){ p->bEntityFailed = 1; return SQLITE_OK; }
  return ctEcsListAddSpan(p, &p->aEn[iList], v, 1);
}

/* One value of the script's addValues(set, list): every value must be
** text (else the script fails), but adding stops for good at the first
** one that is absent or already there (*pbAll, 1 at the start of the
** list): its "addedAll = addedAll && addValue(…)" short-circuits. */
static int ctEnAddAll(CtEcsRec *p, int iList, CtSpan v, int *pbAll){
  CtEcsList *pL = &p->aEn[iList];
  int n0 = pL->n, rc;
  if( ctJvKept(v) && !ctEcsIsString(v) ){ p->bEntityFailed = 1; return SQLITE_OK; }
  if( !*pbAll ) return SQLITE_OK;
  if( !ctJvKept(v) ){ *pbAll = 0; return SQLITE_OK; }
  rc = ctEcsListAddSpan(p, pL, v, 1);
  if( pL->n==n0 ) *pbAll = 0;
  return rc;
}

/* Each object reached from obj by zPath, where "[]" steps into every item
** of a list: call ctEnAdd() for each of its zSub fields.  A list expected
** and something else found fails the script (.stream() of a non-list). */
static int ctEnItems(CtEcsRec *p, int iList, CtSpan obj, const char *zPath,
                     const char *zSub){
  const char *zStep = strstr(zPath, "[]");
  char aPath[256];
  CtSpan list, item;
  size_t i = 1;
  int rc = SQLITE_OK;
  if( zStep ){
    size_t n = (size_t)(zStep-zPath);
    if( n>=sizeof(aPath) ) return SQLITE_OK;
    memcpy(aPath, zPath, n);
    aPath[n] = 0;
    list = ctJvGet(obj, aPath);
  }else{
    list = ctJvGet(obj, zPath);
  }
  if( !ctJvKept(list) ) return SQLITE_OK;
  if( list.z[0]!='[' ){ p->bEntityFailed = 1; return SQLITE_OK; }
  while( rc==SQLITE_OK && ct_json_next_element(list.z, list.n, &i, &item) ){
    if( !ctJvKept(item) ) continue;
    if( item.z[0]!='{' ){ p->bEntityFailed = 1; continue; }
    if( zStep ){
      rc = ctEnItems(p, iList, item, zStep+3, zSub);
    }else{
      const char *z = zSub;
      int bAll = 1;        /* several fields of an item: addValues([…]) */
      while( rc==SQLITE_OK && *z ){
        const char *zEnd = strchr(z, ',');
        size_t n = zEnd ? (size_t)(zEnd-z) : strlen(z);
        if( n<sizeof(aPath) ){
          memcpy(aPath, z, n);
          aPath[n] = 0;
          rc = ctEnAddAll(p, iList, ctJvGet(item, aPath), &bAll);
        }
        z += n + (zEnd!=0);
      }
    }
  }
  return rc;
}

/* Each string of the list at zPath: one addValue() each, or with bAll
** one addValues() of the whole list (ctEnAddAll()). */
static int ctEnStrings(CtEcsRec *p, int iList, const char *zPath, int bAll){
  CtSpan list = ctEcsRaw(p, zPath), v;
  size_t i = 1;
  int rc = SQLITE_OK, bGoing = 1;
  if( list.z==0 ) return SQLITE_OK;
  if( list.z[0]!='[' ){ p->bEntityFailed = 1; return SQLITE_OK; }
  while( rc==SQLITE_OK && ct_json_next_element(list.z, list.n, &i, &v) ){
    rc = bAll ? ctEnAddAll(p, iList, v, &bGoing) : ctEnAdd(p, iList, v);
  }
  return rc;
}

/* ssm SendCommand: requestParameters.instanceIds, or else the values of
** every target in requestParameters.targets; a lone "*" means the whole
** account (recipientAccountId). */
static int ctEnSendCommand(CtEcsRec *p){
  CtSpan ids = ctEcsRaw(p, "requestParameters.instanceIds"), v, t;
  size_t i = 1;
  int rc = SQLITE_OK;
  if( ids.z && ids.z[0]!='[' ){ p->bEntityFailed = 1; return SQLITE_OK; }
  if( ids.z ){
    CtSpan first = {0, 0};
    int n = 0;
    while( ct_json_next_element(ids.z, ids.n, &i, &v) ){
      if( ctJvKept(v) ){ if( n++==0 ) first = v; }
    }
    if( n==1 && ctJvStringIs(first, "*") ){
      return ctEnAdd(p, CT_EN_TARGET, ctEcsRaw(p, "recipientAccountId"));
    }
    return ctEnStrings(p, CT_EN_TARGET, "requestParameters.instanceIds", 1);
  }
  ids = ctEcsRaw(p, "requestParameters.targets");
  if( ids.z==0 ) return SQLITE_OK;
  if( ids.z[0]!='[' ){ p->bEntityFailed = 1; return SQLITE_OK; }
  {
    /* Count first: a single "*" across all targets means the account. */
    int n = 0, bStar = 0;
    while( ct_json_next_element(ids.z, ids.n, &i, &t) ){
      CtSpan vals = ctJvGet(t, "values");
      size_t j = 1;
      if( !ctJvKept(t) ) continue;
      if( t.z[0]!='{' || !ctJvKept(vals) || vals.z[0]!='[' ){
        p->bEntityFailed = 1;
        return SQLITE_OK;
      }
      while( ct_json_next_element(vals.z, vals.n, &j, &v) ){
        if( ctJvKept(v) ){ n++; bStar = ctJvStringIs(v, "*"); }
      }
    }
    if( n==1 && bStar ){
      return ctEnAdd(p, CT_EN_TARGET, ctEcsRaw(p, "recipientAccountId"));
    }
    i = 1;
    bStar = 1;           /* now: addValues() of the whole list still adds */
    while( rc==SQLITE_OK && ct_json_next_element(ids.z, ids.n, &i, &t) ){
      CtSpan vals = ctJvGet(t, "values");
      size_t j = 1;
      if( !ctJvKept(t) ) continue;
      while( rc==SQLITE_OK && ct_json_next_element(vals.z, vals.n, &j, &v) ){
        if( ctJvKept(v) ) rc = ctEnAddAll(p, CT_EN_TARGET, v, &bStar);
      }
    }
  }
  return rc;
}

/* True if the event name (text) is one of rule zEvents. */
static int ctEnEventIs(const char *zEvents, const char *zName, size_t nName){
  const char *z;
  if( zEvents[0]=='~' ){
    size_t nPat = strlen(zEvents+1), k;
    for(k=0; k+nPat<=nName; k++){
      if( memcmp(zName+k, zEvents+1, nPat)==0 ) return 1;
    }
    return 0;
  }
  for(z=zEvents; (z = strchr(z, '|'))!=0 && z[1]; z++){
    /* memcmp() within zEvents: zName may hold a NUL (\u0000), which would
    ** end a strncmp() early and send z[1+nName] past zEvents' end */
    if( strlen(z+1)>nName && memcmp(z+1, zName, nName)==0 && z[1+nName]=='|' ) return 1;
  }
  return 0;
}

static int ctEnApply(CtEcsRec *p, const CtEnRule *r){
  int iList = r->zEvents ? CT_EN_TARGET : CT_EN_RELATED;
  switch( r->eHow ){
    case CT_ENH_FIELD:   return ctEnAdd(p, iList, ctEcsRaw(p, r->zPath));
    case CT_ENH_ITEMS:   return ctEnItems(p, iList, p->rec, r->zPath, r->zSub);
    case CT_ENH_STRINGS: return ctEnStrings(p, iList, r->zPath, 0);
    case CT_ENH_VALUES:  return ctEnStrings(p, iList, r->zPath, 1);
    case CT_ENH_SENDCMD: return ctEnSendCommand(p);
    default: {           /* CT_ENH_RULENUM: String.valueOf(ruleNumber) */
      CtSpan v = ctEcsRaw(p, r->zPath);
      if( v.z==0 ) return SQLITE_OK;
      if( ctEcsIsString(v) ) return ctEnAdd(p, iList, v);
      return ctEcsListAdd(p, &p->aEn[iList], v.z, v.n, 1);
    }
  }
}

/* The related and target entities of the record's service. */
static int ctEnService(CtEcsRec *p, CtSpan src, CtSpan name){
  const char *zBranch = 0;     /* the target branch taken, per service */
  size_t k;
  int rc = SQLITE_OK;
  char *zName = 0;
  size_t nName = 0;
  if( name.z && ctEcsIsString(name) ){
    zName = ctJvDecode(name, &nName);
    if( zName==0 ) return SQLITE_NOMEM;
  }
  for(k=0; rc==SQLITE_OK && k<sizeof(ctEnRules)/sizeof(ctEnRules[0]); k++){
    const CtEnRule *r = &ctEnRules[k];
    if( !ctJvStringIs(src, r->zSource) ) continue;
    if( r->zEvents ){
      if( zName==0 ) continue;
      if( zBranch ){
        if( strcmp(zBranch, r->zEvents)!=0 ) continue;
      }else if( ctEnEventIs(r->zEvents, zName, nName) ){
        zBranch = r->zEvents;
      }else{
        continue;
      }
    }
    rc = ctEnApply(p, r);
  }
  sqlite3_free(zName);
  return rc;
}

/* Split an ARN at ':' like Painless' splitOnToken(); az[k] is part k
** (not terminated), returns the number of parts, at most mx. */
static int ctEnArnParts(const char *z, const char **az, size_t *an, int mx){
  int n = 0;
  while( n<mx ){
    const char *zColon = strchr(z, ':');
    az[n] = z;
    an[n] = zColon ? (size_t)(zColon-z) : strlen(z);
    n++;
    if( zColon==0 ) break;
    z = zColon+1;
  }
  return n;
}
#define CT_EN_ARN_PARTS 6

/* The resource type of an ARN's sixth part: before its first '/' (if
** that is not its first character). */
static size_t ctEnResourceType(const char *z, size_t n){
  const char *zSlash = memchr(z, '/', n);
  return (zSlash && zSlash>z) ? (size_t)(zSlash-z) : n;
}

/* Which list a target z goes to (CT_EN_USER_T …, CT_EN_GENERIC_T). */
static int ctEnTargetKind(const char *z){
  size_t n = strlen(z);
  if( ctEnStarts(z, "arn:") ){
    const char *az[CT_EN_ARN_PARTS];
    size_t an[CT_EN_ARN_PARTS], nType;
    if( ctEnArnParts(z, az, an, CT_EN_ARN_PARTS)<CT_EN_ARN_PARTS ) return CT_EN_GENERIC_T;
    nType = ctEnResourceType(az[5], an[5]);
    if( strstr(z, "/AWSServiceRoleFor") || strstr(z, "/aws-service-role/") ){
      return CT_EN_SERVICE_T;
    }
    if( ctEnIn(ctEnUserTypes, az[5], nType) ) return CT_EN_USER_T;
    if( nType==8 && memcmp(az[5], "instance", 8)==0 ) return CT_EN_HOST_T;
    if( ctEnIn(ctEnServiceTypes, az[5], nType) ) return CT_EN_SERVICE_T;
    if( an[2]==2 && memcmp(az[2], "s3", 2)==0 ) return CT_EN_SERVICE_T;
    return CT_EN_GENERIC_T;
  }
  if( ctJvLength16(z, n)==CT_EN_ACCESS_KEY_LEN && ctEnStarts(z, "AKIA") ){
    return CT_EN_USER_T;
  }
  if( ctEnStarts(z, "i-") ) return CT_EN_HOST_T;
  {
    int k;
    for(k=0; ctEnServicePrefixes[k]; k++){
      if( ctEnStarts(z, ctEnServicePrefixes[k]) ) return CT_EN_SERVICE_T;
    }
  }
  return CT_EN_GENERIC_T;
}

/* host.target.id: the bare instance id of a host target, or 0. */
static const char *ctEnHostId(const char *z){
  if( ctEnStarts(z, "arn:") ){
    const char *az[CT_EN_ARN_PARTS];
    size_t an[CT_EN_ARN_PARTS];
    if( ctEnArnParts(z, az, an, CT_EN_ARN_PARTS)<CT_EN_ARN_PARTS ) return 0;
    if( an[2]!=3 || memcmp(az[2], "ec2", 3)!=0 ) return 0;
    if( !ctEnStarts(az[5], "instance/") ) return 0;
    z = az[5]+9;
  }
  return ctEnStarts(z, "i-") ? z : 0;
}

/* Classify the targets into their kinds; add them to related. */
static int ctEnTargets(CtEcsRec *p){
  CtEcsList *pT = &p->aEn[CT_EN_TARGET];
  int k, rc = SQLITE_OK;
  for(k=0; rc==SQLITE_OK && k<pT->n; k++){
    const char *z = pT->az[k], *zId;
    int eKind = ctEnTargetKind(z);
    rc = ctEcsListAdd(p, &p->aEn[eKind], z, strlen(z), 1);
    if( rc==SQLITE_OK && eKind==CT_EN_HOST_T && (zId = ctEnHostId(z))!=0 ){
      rc = ctEcsListAdd(p, &p->aEn[CT_EN_HOST_T_ID], zId, strlen(zId), 1);
    }
    if( rc==SQLITE_OK ) rc = ctEcsListAdd(p, &p->aEn[CT_EN_RELATED], z, strlen(z), 1);
  }
  return rc;
}

/* The actor: userIdentity.arn, or onBehalfOf.userId; for sts AssumeRole
** the caller (invokedBy, the session's role, or the arn), for
** GetCallerIdentity the arn. */
static CtSpan ctEnActor(CtEcsRec *p, CtSpan src, CtSpan name){
  CtSpan a = ctEcsRaw(p, "userIdentity.arn");
  if( a.z==0 ) a = ctEcsRaw(p, "userIdentity.onBehalfOf.userId");
  if( ctJvStringIs(src, "sts.amazonaws.com") ){
    CtSpan type = ctEcsRaw(p, "userIdentity.type");
    if( ctJvStringIs(name, "AssumeRole") ){
      if( ctJvStringIs(type, "AWSService") ) a = ctEcsRaw(p, "userIdentity.invokedBy");
      else if( ctJvStringIs(type, "AssumedRole") ){
        a = ctEcsRaw(p, "userIdentity.sessionContext.sessionIssuer.arn");
      }else a = ctEcsRaw(p, "userIdentity.arn");
    }else if( ctJvStringIs(name, "GetCallerIdentity") ){
      a = ctEcsRaw(p, "userIdentity.arn");
    }
  }
  return a;
}

/* Which list the actor goes to, and the id it goes with (the role for an
** assumed role's session in the previous generation). */
static int ctEnActorKind(CtEcsRec *p, const char *zActor, CtSpan *pUserId){
  CtSpan type = ctEcsRaw(p, "userIdentity.type");
  pUserId->z = 0;
  if( p->pConf->eGen==CT_ECS_PREVIOUS && ctJvStringIs(type, "AssumedRole") ){
    CtSpan role = ctEcsRaw(p, "userIdentity.sessionContext.sessionIssuer.arn");
    if( role.z ) *pUserId = role;
  }
  if( ctJvStringIs(type, "AWSService") ) return CT_EN_SERVICE;
  if( strstr(zActor, "/AWSServiceRoleFor") || strstr(zActor, "/aws-service-role/") ){
    return CT_EN_SERVICE;
  }
  if( ctJvStringIs(type, "IAMUser") || ctJvStringIs(type, "Root")
   || ctJvStringIs(type, "AssumedRole") ){
    return CT_EN_USER;
  }
  if( ctEnStarts(zActor, "arn:") ){
    const char *az[CT_EN_ARN_PARTS];
    size_t an[CT_EN_ARN_PARTS], nType;
    if( ctEnArnParts(zActor, az, an, CT_EN_ARN_PARTS)>=CT_EN_ARN_PARTS ){
      static const char *const azUser[] = {
        "user", "role", "assumed-role", "federated-user", 0
      };
      nType = ctEnResourceType(az[5], an[5]);
      if( ctEnIn(azUser, az[5], nType) ) return CT_EN_USER;
      if( nType==8 && memcmp(az[5], "instance", 8)==0 ) return CT_EN_HOST;
    }
  }
  if( ctEnStarts(zActor, "i-") ) return CT_EN_HOST;
  return CT_EN_GENERIC;
}

static int ctEnActorLists(CtEcsRec *p, CtSpan actor){
  CtEcsList *pA = &p->aEn[CT_EN_ACTOR];
  CtSpan userId;
  int eKind, rc;
  /* actor.toString(): text as it is, any other value as Java prints it */
  if( ctEcsIsString(actor) ){
    rc = ctEcsListAddSpan(p, pA, actor, 0);
  }else{
    sqlite3_str *pStr = sqlite3_str_new(0);
    CtJv jv;
    ctJvInit(&jv, pStr);
    ctJvToString(&jv, actor);
    ctJvFree(&jv);
    rc = jv.rc ? jv.rc : sqlite3_str_errcode(pStr);
    if( rc==SQLITE_OK ){
      rc = ctEcsListAdd(p, pA, sqlite3_str_value(pStr),
                        (size_t)sqlite3_str_length(pStr), 0);
    }
    sqlite3_free(sqlite3_str_finish(pStr));
  }
  if( rc || pA->n==0 ) return rc;
  eKind = ctEnActorKind(p, pA->az[0], &userId);
  if( eKind==CT_EN_USER && userId.z ){
    return ctEcsListAddSpan(p, &p->aEn[CT_EN_USER], userId, 0);
  }
  return ctEcsListAdd(p, &p->aEn[eKind], pA->az[0], strlen(pA->az[0]), 0);
}

/* Empty every entity list (a failed script sets none of them). */
static void ctEnReset(CtEcsRec *p){
  int k;
  for(k=0; k<CT_EN_N; k++) ctEcsListClear(&p->aEn[k]);
}

/*
** Fill p->aEn[] as the actor_target_mapping script does, once per record.
** Runs only when the record has an eventName, as the script's condition.
** If the script would fail (a value it adds is not text), every list
** stays empty and bEntityFailed is set: ctEcsEntityCheck() reports it in
** error.message.  Returns SQLITE_OK or SQLITE_NOMEM.
*/
int ctEcsEntity(CtEcsRec *p){
  static const char *const azBase[] = {
    "userIdentity.accessKeyId", "userIdentity.arn", "userIdentity.userName",
    "userIdentity.sessionContext.sessionIssuer.arn",
    "userIdentity.sessionContext.sessionIssuer.userName", 0
  };
  CtSpan src, name, actor;
  int k, rc = SQLITE_OK;
  if( p->bEntity ) return p->rc;
  p->bEntity = 1;
  name = ctEcsRaw(p, "eventName");
  if( name.z==0 ) return SQLITE_OK;
  src = ctEcsRaw(p, "eventSource");
  actor = ctEnActor(p, src, name);
  for(k=0; rc==SQLITE_OK && azBase[k]; k++){
    rc = ctEnAdd(p, CT_EN_RELATED, ctEcsRaw(p, azBase[k]));
  }
  if( rc==SQLITE_OK && ctJvStringIs(ctEcsRaw(p, "userIdentity.type"), "IdentityCenterUser") ){
    rc = ctEnAdd(p, CT_EN_RELATED, ctEcsRaw(p, "userIdentity.onBehalfOf.identityStoreArn"));
  }
  if( rc==SQLITE_OK ) rc = ctEnItems(p, CT_EN_RELATED, p->rec, "resources", "ARN");
  if( rc==SQLITE_OK && src.z ) rc = ctEnService(p, src, name);
  if( rc==SQLITE_OK && !p->bEntityFailed ) rc = ctEnTargets(p);
  if( rc==SQLITE_OK && !p->bEntityFailed && actor.z ) rc = ctEnActorLists(p, actor);
  if( rc || p->bEntityFailed ) ctEnReset(p);
  if( rc ) p->rc = rc;
  return rc;
}

/* 1 if the entity script fails on this record, 0 if not, or -1 (NOMEM). */
int ctEcsEntityCheck(CtEcsRec *p){
  if( ctEcsEntity(p) ) return -1;
  return p->bEntityFailed;
}
