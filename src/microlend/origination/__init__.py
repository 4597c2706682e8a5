"""origination context: applications, investigation, decisions, approval chains, contracts."""
