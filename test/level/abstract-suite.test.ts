import { runAbstractSuite } from '../util/suite'

runAbstractSuite()
