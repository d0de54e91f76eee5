"""The seed corpus that ships with pmpilot: `lessons.jsonl` and `projects.jsonl` (tenant
"default"), copied into the records and indexed on first use by `knowledge.seed_corpus`."""
