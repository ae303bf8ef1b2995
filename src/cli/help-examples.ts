import type { Command } from 'commander';

/**
 * One example per command, shown after its --help. Kept in one place so a
 * new command without an example is easy to spot (a test checks that every
 * command has one).
 */
export const HELP_EXAMPLES: Record<string, string> = {
  'hash': 'model-gate hash models/policy.pt data/train/',
  'lineage record':
    'model-gate lineage record --model models/policy.pt --dataset training=data/train --dataset validation=data/val.parquet \\\n    --hyperparameters config/hparams.json --metrics \'{"auc": 0.91}\'',
  'lineage verify': 'model-gate lineage verify models/metadata.json --json',
  'lineage diff': 'model-gate lineage diff deployed/metadata.json models/metadata.json',
  'audit append':
    'model-gate audit append --store "s3://acme-audit/models?region=eu-west-1" --event-type MODEL_RELEASE \\\n    --actor alice --action "release policy.pt" --subject "sha256:<64 hex>" --json',
  'release':
    'model-gate release --metadata models/credit-risk/metadata.json --store "s3://acme-audit/models?region=eu-west-1" \\\n    --actor "$(git config user.email)" --checkpoint-key audit-checkpoint.jwk',
  'audit verify': 'model-gate audit verify --store .audit --checkpoint-key audit-checkpoint.pub.jwk --json',
  'audit checkpoint': 'model-gate audit checkpoint --store .audit --key audit-checkpoint.jwk',
  'audit show': 'model-gate audit show --store .audit --from 10 --to 20',
  'audit keygen': 'model-gate audit keygen --out audit-checkpoint.jwk',
  'audit prove': 'model-gate audit prove --store .audit --seq 41 --key audit-checkpoint.pub.jwk --out release-41.tlog-proof --record-out release-41.json',
  'audit check-proof':
    'model-gate audit check-proof release-41.tlog-proof --record release-41.json --key "acme/fraud-model+1a2b3c4d+AX1..." \\\n    --witness witness.vkey --witness-quorum 1',
  'audit verify-tree': 'model-gate audit verify-tree --store .audit --key log.vkey --trusted-checkpoint yesterday.note --from-checkpoint --json',
  'audit tiles': 'model-gate audit tiles --store "s3://acme-audit/models?region=eu-west-1"',
  'audit vkey': 'model-gate audit vkey --key audit-checkpoint.pub.jwk --store .audit',
  'witness keygen': 'model-gate witness keygen --name witness.acme.example/w1 --out w1.key',
  'witness serve': 'model-gate witness serve --key w1.key --log-key "acme/fraud-model+1a2b3c4d+AX1..." --state w1-state.json --listen 127.0.0.1:8080',
  'audit stream':
    'model-gate audit stream --store "s3://acme-audit/models?region=eu-west-1" --kafka b-1.kafka.internal:9094 --topic model-audit \\\n    --kafka-tls --kafka-sasl scram-sha-512 --follow   # user and password in $MODEL_GATE_KAFKA_USERNAME/_PASSWORD',
  'audit init': 'model-gate audit init --store "s3://acme-audit/models?region=eu-west-1" --retention-days 2557',
  'change open':
    'model-gate change open --instance https://acme.service-now.com --user gate-bot --password-env SERVICENOW_PASSWORD \\\n    --short-description "Release credit-risk model" --metadata models/metadata.json   # password in $SERVICENOW_PASSWORD',
  'change status': 'model-gate change status --instance https://acme.service-now.com --token-env SERVICENOW_TOKEN CHG0030001 --wait 600',
  'simulate': 'model-gate simulate --policy .github/model-release-gate.yml --facts pr-facts.json --json',
  'approval statement': 'model-gate approval statement --facts pr-facts.json --login alice --role risk-manager > statement.json',
  'policy check': 'model-gate policy check .github/model-release-gate.yml',
  'approve': 'model-gate approve --repo acme-bank/credit-models --pr 42 --role risk-manager --post',
  'report':
    'model-gate report --store "s3://acme-audit/models?region=eu-west-1" --since 2026-07-01 --until 2026-10-01 --format html --out q3-report.html',
};

/** The command's path below the program, e.g. "audit verify". */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Adds the example to every command that has one. */
export function addHelpExamples(program: Command): void {
  const visit = (cmd: Command): void => {
    const example = HELP_EXAMPLES[commandPath(cmd)];
    if (example) cmd.addHelpText('after', `\nExample:\n  ${example}\n`);
    cmd.commands.forEach(visit);
  };
  program.commands.forEach(visit);
}
