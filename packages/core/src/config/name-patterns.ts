// Node names become slot names, application_name and file names: keep them simple and lower-case.
export const NODE_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/;

// Step names: lower-case words joined by "-" (they are keys of "steps" and names in "pipeline").
export const STEP_NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
