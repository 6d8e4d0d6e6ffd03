/** Construct ids from definition ids ('registry' → 'Registry'), so logical ids read like the rest of the template. */
export function constructId(definitionId: string): string {
  return definitionId.charAt(0).toUpperCase() + definitionId.slice(1);
}
