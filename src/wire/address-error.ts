/** A text address that does not parse; the message names the input and gives an example of the form. */
export class AddressParseError extends Error {
  readonly input: string;
  readonly family: 'MAC' | 'IPv4' | 'IPv6';

  constructor(family: 'MAC' | 'IPv4' | 'IPv6', input: string, example: string) {
    super(`"${input}" is not ${family === 'MAC' ? 'a' : 'an'} ${family} address (e.g. ${example})`);
    this.name = 'AddressParseError';
    this.input = input;
    this.family = family;
  }
}
