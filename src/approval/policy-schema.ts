/**
 * The policy file's JSON Schema, as a module so it ships inside the compiled
 * code and the bundled Action. `schemas/policy.schema.json` is the published
 * copy for editors and other tools; a test keeps the two identical.
 */
export const POLICY_SCHEMA = {
  "$schema": "http://json-schema.org/draft-07/schema#",
  "$id": "https://github.com/model-release-gate/model-release-gate/schemas/policy.schema.json",
  "title": "model-release-gate policy (.github/model-release-gate.yml)",
  "description": "Which paths make a pull request a model release, who must approve it (one person fills at most one role slot), whether approvals must be signed, and which automated checks must pass. Read from the pull request's BASE branch only. Either the single-rule shorthand (top-level protected_paths + roles) or a list of rules.",
  "$comment": "Extension point: new top-level sections (e.g. `deployment`) are added as properties below, each with its own definition, together with the code that honours them. Until then a reserved name is refused with its own message, and any other unknown key is an error.",
  "type": "object",
  "additionalProperties": false,
  "required": [
    "version"
  ],
  "properties": {
    "version": {
      "const": 1,
      "x-message": "must be 1 (the only policy format version)"
    },
    "protected_paths": {
      "$ref": "#/definitions/globs"
    },
    "roles": {
      "$ref": "#/definitions/roles"
    },
    "minimum_approvers": {
      "$ref": "#/definitions/minimum_approvers"
    },
    "signatures": {
      "$ref": "#/definitions/signatures"
    },
    "changes_requested_veto": {
      "type": "boolean",
      "description": "A CHANGES_REQUESTED review from anyone in a role fails the gate until it is dismissed or turned into an approval. In the rules form: the default for every rule."
    },
    "checks": {
      "$ref": "#/definitions/checks"
    },
    "rules": {
      "type": "array",
      "minItems": 1,
      "items": {
        "$ref": "#/definitions/rule"
      },
      "description": "Requirement sets: a pull request must satisfy every rule whose protected paths it touches. One person fills at most one role slot within each rule."
    },
    "allow_commit_authors": {
      "type": "boolean",
      "description": "Whether authors and committers of the pull request's commits may approve it (default false). The pull request's author never may."
    },
    "audit": {
      "$ref": "#/definitions/audit"
    },
    "deployment": {
      "not": {},
      "x-message": "is reserved for the deployment protection rule, which this version does not implement yet"
    }
  },
  "definitions": {
    "glob": {
      "type": "string",
      "minLength": 1,
      "pattern": "^[^!/]",
      "x-message": "must be a non-empty glob relative to the repository root (no leading / and no ! negation)"
    },
    "globs": {
      "type": "array",
      "minItems": 1,
      "items": {
        "$ref": "#/definitions/glob"
      },
      "description": "picomatch globs matched against repository paths (dot files included). The policy file itself is always protected."
    },
    "login": {
      "type": "string",
      "pattern": "^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$",
      "x-message": "must be a GitHub login"
    },
    "team": {
      "type": "string",
      "pattern": "^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9_.-]+$",
      "x-message": "must be a team as org/team-slug"
    },
    "role": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "name"
      ],
      "properties": {
        "name": {
          "type": "string",
          "minLength": 1
        },
        "teams": {
          "type": "array",
          "items": {
            "$ref": "#/definitions/team"
          }
        },
        "users": {
          "type": "array",
          "items": {
            "$ref": "#/definitions/login"
          }
        },
        "count": {
          "type": "integer",
          "minimum": 1,
          "default": 1,
          "x-message": "must be an integer >= 1"
        }
      }
    },
    "roles": {
      "type": "array",
      "minItems": 1,
      "items": {
        "$ref": "#/definitions/role"
      }
    },
    "minimum_approvers": {
      "type": "integer",
      "minimum": 1,
      "x-message": "must be an integer >= 1",
      "description": "Distinct people from the rule's roles who must approve (default: the sum of the roles' counts)."
    },
    "key_source": {
      "type": "string",
      "pattern": "^(github|allowed-signers:[^\\s]+|jwks:[^\\s]+)$",
      "x-message": "must be github, allowed-signers:PATH or jwks:PATH"
    },
    "signatures": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "required": {
          "type": "boolean",
          "description": "Default true: an approval counts only with a valid signature over the approval statement."
        },
        "keys": {
          "type": "array",
          "minItems": 1,
          "uniqueItems": true,
          "items": {
            "$ref": "#/definitions/key_source"
          },
          "description": "Where approvers' keys come from (default [github]): their SSH signing keys on GitHub, an allowed-signers file or a JWKS pinned on the base branch."
        }
      }
    },
    "metric_threshold": {
      "type": "string",
      "pattern": "^\\s*[A-Za-z_][A-Za-z0-9_./-]*\\s*(>=|<=|==|>|<)\\s*[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?\\s*$",
      "x-message": "must be a comparison like \"accuracy >= 0.9\" (operators >=, >, <=, <, ==)"
    },
    "checks": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "models": {
          "$ref": "#/definitions/globs",
          "description": "Which changed files are models (default: common model file extensions)."
        },
        "metadata": {
          "type": "boolean",
          "description": "metadata.json must sit beside every changed model and be valid lineage metadata."
        },
        "datasets": {
          "type": "array",
          "uniqueItems": true,
          "items": {
            "enum": [
              "training",
              "validation",
              "test"
            ],
            "x-message": "must be training, validation or test"
          },
          "description": "Dataset roles every changed model's metadata.json must list."
        },
        "lfs_digest": {
          "type": "boolean",
          "description": "The model digest in metadata.json must equal the Git LFS pointer's oid where the model is stored in LFS."
        },
        "metrics": {
          "type": "array",
          "items": {
            "$ref": "#/definitions/metric_threshold"
          },
          "description": "Thresholds on metadata.json's metrics; a missing metric fails."
        }
      }
    },
    "rule": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "name",
        "protected_paths",
        "roles"
      ],
      "properties": {
        "name": {
          "type": "string",
          "minLength": 1
        },
        "protected_paths": {
          "$ref": "#/definitions/globs"
        },
        "roles": {
          "$ref": "#/definitions/roles"
        },
        "minimum_approvers": {
          "$ref": "#/definitions/minimum_approvers"
        },
        "signatures": {
          "$ref": "#/definitions/signatures"
        },
        "changes_requested_veto": {
          "type": "boolean"
        },
        "checks": {
          "$ref": "#/definitions/checks"
        }
      }
    },
    "store_url": {
      "type": "string",
      "pattern": "^(s3://[^/\\s]+(/\\S*)?|file://\\S+)$",
      "x-message": "must be an s3://bucket/prefix or file://path URL"
    },
    "audit": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "store"
      ],
      "properties": {
        "store": {
          "anyOf": [
            {
              "$ref": "#/definitions/store_url"
            },
            {
              "type": "array",
              "minItems": 1,
              "items": {
                "$ref": "#/definitions/store_url"
              }
            }
          ],
          "x-message": "must be an audit store URL or a list of them"
        }
      }
    }
  }
} as const;
