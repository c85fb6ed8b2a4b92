# Peer: the EC2 instance-role console-login rule in jq.
#
#   zcat FILES… | jq -n --arg since "" -f bench/peers/rule.jq
#
# Reads every {"Records":[…]} document on its input and prints how many
# records match (and, when $since is not empty, have eventTime >= $since).
# Same logic as ec2_console_login() on raw records.

# An error field counts when it is there and not null or empty.
def present: . != null and . != "";

# event.outcome as Elastic's aws.cloudtrail pipeline computes it.
def outcome:
  (if (.errorCode | present) or (.errorMessage | present) then "failure" else "success" end) as $o
  | if .eventName == "ConsoleLogin"
       and (.responseElements | type) == "object"
       and (.responseElements.ConsoleLogin | type) == "string"
    then .responseElements.ConsoleLogin | ascii_downcase
    else $o end;

def rule:
  .eventSource == "signin.amazonaws.com"
  and (.eventName == "ConsoleLogin" or .eventName == "GetSigninToken")
  and (.userIdentity | type) == "object"
  and .userIdentity.type == "AssumedRole"
  and (.userIdentity.principalId | type) == "string"
  and (.userIdentity.principalId | contains(":i-"))
  and outcome == "success";

reduce (inputs | .Records[]?
        | select(rule and ($since == "" or (.eventTime // "") >= $since)))
  as $r (0; . + 1)
