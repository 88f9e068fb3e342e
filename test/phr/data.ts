/** The PHR sample data the tests use: the seed's generator. */
export { phrDataSet, sampleDoc } from '../../lib/seed/phr.js';
