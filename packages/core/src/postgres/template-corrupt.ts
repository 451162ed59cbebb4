// A template entry (or a copy of it) that does not match its manifest.
export class TemplateCorrupt extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateCorrupt';
  }
}
