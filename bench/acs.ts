export async function run(): Promise<void> {
  console.log('bench section acs: not written yet')
}
