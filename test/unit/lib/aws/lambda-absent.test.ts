// The stand-in for what the Lambda bundles leave out (bowser, the event-stream serde): importing it fails at once, and
// says what was left out and where to undo it.
it('fails the import that reaches a module the Lambda bundles leave out, naming both and the place to undo it', async () => {
  const imported = import('../../../../lib/aws/lambda-absent');
  await expect(imported).rejects.toMatchObject({ name: 'LambdaAbsentModuleError' });
  await expect(imported).rejects.toThrow(/bowser .*@smithy\/core\/event-streams.*lib\/aws\/lambda-absent\.ts/);
});
