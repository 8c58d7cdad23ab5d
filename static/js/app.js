// Homeward's front-end entry point: start GOV.UK Frontend's components.
import { initAll } from '../dist/govuk-frontend.min.js'

initAll()
